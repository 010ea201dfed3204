"""Fail if a public name of awsflow has no entry in the built API reference.

Run after building the docs (``python -m sphinx -W -b html docs docs/_build/html``)::

    python docs/check_reference.py docs/_build/html

Every name in the ``__all__`` of every public module must be an object in the site's inventory
(``objects.inv``): documented on its own module's page, or on the page of the module whose
``__module__`` it carries, to which the re-exporting page links.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE.parent))

from api_reference import home_of, public_modules  # noqa: E402
from sphinx.util.inventory import InventoryFile  # noqa: E402


def missing_names(build_dir: Path) -> list[str]:
    """``module.name`` for each public name without an entry (empty when the reference is whole)."""
    with (build_dir / "objects.inv").open("rb") as stream:
        inventory = InventoryFile.load(stream, "", lambda base, uri: uri)
    documented: set[str] = set()
    for kind, entries in _items(inventory):
        if kind.startswith("py:"):
            documented.update(entries)
    missing = []
    for module in public_modules():
        if module.__name__ not in documented:
            missing.append(f"{module.__name__} (the module itself)")
        for name in module.__all__:
            if name.startswith("__"):
                continue
            if f"{home_of(module, name)}.{name}" not in documented:
                missing.append(f"{module.__name__}.{name}")
    return missing


def _items(inventory: object) -> list[tuple[str, set[str]]]:
    # Sphinx < 8.2 returns a dict of dicts; later versions a _Inventory with .data.
    data = getattr(inventory, "data", inventory)
    return [(kind, set(entries)) for kind, entries in data.items()]  # type: ignore[attr-defined]


def main(argv: list[str]) -> int:
    build_dir = Path(argv[1] if len(argv) > 1 else HERE / "_build" / "html")
    missing = missing_names(build_dir)
    for name in missing:
        print(f"not in the API reference: {name}", file=sys.stderr)
    if missing:
        return 1
    print(f"API reference: every public name of {len(public_modules())} modules has an entry")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
