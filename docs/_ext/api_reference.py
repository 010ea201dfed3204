"""Sphinx extension: the API reference, one page per public module, written from the code itself.

A public module is any module under ``awsflow`` whose dotted path has no part starting with an
underscore and which lists its public names in ``__all__`` (the botoflow paths, ``awsflow`` itself
and the packages awsflow added). Writing the pages from ``__all__`` at build time, rather than by
hand, is what makes the reference complete by construction: a name added to ``__all__`` gets its
entry at the next build, and ``docs/check_reference.py`` fails CI if one has none.

A name is documented in full on the page of the module its ``__module__`` names (awsflow gives
every public object its public home, see STYLE.md §4). Other modules that re-export it list it with
a link to that entry, so each docstring appears once and every public path is findable.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

GENERATED_DIR = "reference"


def public_modules() -> list[ModuleType]:
    """awsflow's public modules (see the module docstring), sorted by dotted path."""
    import awsflow

    found: list[ModuleType] = [awsflow]
    for info in pkgutil.walk_packages(awsflow.__path__, "awsflow."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        module = importlib.import_module(info.name)
        if isinstance(getattr(module, "__all__", None), (list, tuple)):
            found.append(module)
    return sorted(found, key=lambda module: module.__name__)


def home_of(module: ModuleType, name: str) -> str:
    """The module whose page documents ``module.name`` in full."""
    value = getattr(module, name)
    home = getattr(value, "__module__", None)
    is_definition = inspect.isclass(value) or inspect.isfunction(value)
    named_here = getattr(value, "__name__", None) == name
    if is_definition and named_here and isinstance(home, str) and _is_public_module(home):
        return home
    return module.__name__


def _is_public_module(dotted: str) -> bool:
    if not (dotted == "awsflow" or dotted.startswith("awsflow.")):
        return False
    if any(part.startswith("_") for part in dotted.split(".")):
        return False
    try:
        module = importlib.import_module(dotted)
    except ImportError:
        return False
    return isinstance(getattr(module, "__all__", None), (list, tuple))


def _directive(value: Any) -> tuple[str, list[str]]:
    if inspect.isclass(value):
        if issubclass(value, BaseException):
            return "autoexception", [":members:", ":show-inheritance:"]
        return "autoclass", [":members:", ":show-inheritance:"]
    if inspect.isfunction(value) or inspect.isbuiltin(value):
        return "autofunction", []
    if callable(value) and not isinstance(value, ModuleType):
        return "autofunction", []
    return "data", []


def module_page(module: ModuleType) -> str:
    """The reStructuredText of one module's reference page."""
    title = f"``{module.__name__}``"
    lines = [title, "=" * len(title), "", f".. automodule:: {module.__name__}", ""]
    here: list[str] = []
    elsewhere: list[tuple[str, str]] = []
    for name in sorted(module.__all__):
        if name.startswith("__"):
            continue
        home = home_of(module, name)
        if home == module.__name__:
            here.append(name)
        else:
            elsewhere.append((name, home))
    for name in here:
        value = getattr(module, name)
        directive, options = _directive(value)
        if directive == "data":
            # autodata would show the docstring of the value's type (dict's, str's) when the
            # constant has no doc comment of its own: write the entry from its comment instead.
            lines.append(f".. py:data:: {name}")
            lines.append(f"   :value: {_short_repr(value)}")
            lines.append("")
            lines.extend(f"   {line}" if line else "" for line in _constant_doc(module, name))
        else:
            lines.append(f".. {directive}:: {module.__name__}.{name}")
            lines.extend(f"   {option}" for option in options)
        lines.append("")
    if elsewhere:
        lines += ["Also importable from here", "-" * len("Also importable from here"), ""]
        for name, home in elsewhere:
            lines.append(f"- ``{module.__name__}.{name}``: :py:obj:`{home}.{name}`")
        lines.append("")
    return "\n".join(lines)


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 70 and "\n" not in text else f"<{type(value).__name__}>"


def _constant_doc(module: ModuleType, name: str) -> list[str]:
    """The ``#:`` comment or string literal documenting a constant, in the module or the private
    module of its package that assigns it."""
    from sphinx.pycode import ModuleAnalyzer, PycodeError

    package = module.__name__
    inside = sorted(loaded for loaded in sys.modules if loaded.startswith(package + "."))
    candidates = [package, *inside]
    for dotted in candidates:
        try:
            docs = ModuleAnalyzer.for_module(dotted).find_attr_docs()
        except PycodeError:
            continue
        found = docs.get(("", name))
        if found:
            return [line.rstrip() for line in found]
    return []


def write_reference(srcdir: Path) -> list[str]:
    """Write the pages under ``srcdir/reference`` and return the modules' dotted paths."""
    target = srcdir / GENERATED_DIR
    target.mkdir(exist_ok=True)
    modules = public_modules()
    names = [module.__name__ for module in modules]
    for module in modules:
        _write_if_changed(target / f"{module.__name__}.rst", module_page(module))
    index = [
        "API reference",
        "=============",
        "",
        "Every public name of awsflow, grouped by the module it is imported from. The pages are",
        "written from each module's ``__all__`` when the docs are built.",
        "",
        ".. toctree::",
        "   :maxdepth: 1",
        "",
        *(f"   {name}" for name in names),
        "",
    ]
    _write_if_changed(target / "index.rst", "\n".join(index))
    return names


def _write_if_changed(path: Path, text: str) -> None:
    # Rewriting an unchanged page would make Sphinx rebuild it every time.
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _on_builder_inited(app: Any) -> None:
    write_reference(Path(app.srcdir))


def setup(app: Any) -> dict[str, Any]:
    app.connect("builder-inited", _on_builder_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
