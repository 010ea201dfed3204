"""Sphinx configuration: ``python -m sphinx -W -b html docs docs/_build/html`` builds the site."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE.parent))

import awsflow  # noqa: E402  (the path above must be set first)

project = "awsflow"
author = "the awsflow developers"
copyright = "2026, the awsflow developers"
release = awsflow.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "api_reference",
]

# Google-style sections (Args:, Returns:, Attributes:) are how awsflow's docstrings are written.
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = True
autodoc_member_order = "bysource"
autodoc_typehints = "description"
# No intersphinx: the build must not depend on the network (CI machines may have none).

exclude_patterns = ["_build"]
templates_path: list[str] = []
html_theme = "furo"
html_title = f"awsflow {release}"
html_static_path: list[str] = []
