"""The pages shipped in the package: every file the page names exists, and the script parses
(checked with Node when there is one; the browser tests run it when there is a Chromium)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import awsflow.ui

STATIC = Path(awsflow.ui.__file__).parent / "static"


def test_the_page_names_only_files_that_are_shipped() -> None:
    page = (STATIC / "index.html").read_text()
    named = re.findall(r'(?:src|href)="/static/([^"]+)"', page)
    assert sorted(named) == ["app.js", "style.css"]
    assert all((STATIC / name).is_file() for name in named)


@pytest.mark.skipif(shutil.which("node") is None, reason="no node binary to check the script's syntax")
def test_the_script_parses() -> None:
    node = shutil.which("node")
    assert node is not None
    checked = subprocess.run(
        [node, "--check", str(STATIC / "app.js")], capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stderr
