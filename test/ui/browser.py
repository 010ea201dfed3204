"""Headless Chromium, driven from the command line: a page's DOM after its scripts ran, a screenshot.

No WebDriver: ``chromium --headless --dump-dom`` prints the DOM once the page settled, and
``--screenshot`` writes a PNG. ``--virtual-time-budget`` lets the page's scripts and its fetches
finish before either is taken (virtual time waits for the network).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["chromium", "dump_dom", "screenshot"]

_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium() -> str | None:
    """The path of a Chromium (or Chrome) binary, or None."""
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


# How every test starts Chromium: headless, in a container (no sandbox, no /dev/shm), bare.
HEADLESS = (
    "--headless",
    "--disable-gpu",
    "--no-sandbox",
    "--no-first-run",
    "--disable-extensions",
    "--disable-dev-shm-usage",
)


def _run(binary: str, *options: str, url: str, timeout: float) -> str:
    with tempfile.TemporaryDirectory(prefix="awsflow-chromium-") as profile:
        command = [
            binary,
            *HEADLESS,
            f"--user-data-dir={profile}",
            "--virtual-time-budget=5000",
            *options,
            url,
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise AssertionError(f"chromium exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout


def dump_dom(binary: str, url: str, *, timeout: float = 90) -> str:
    """The page's DOM, serialised, after its scripts ran."""
    return _run(binary, "--dump-dom", url=url, timeout=timeout)


def screenshot(binary: str, url: str, path: Path, *, size: str = "1400,1000", timeout: float = 90) -> Path:
    """A PNG of the page at ``size`` (``width,height``), written to ``path``."""
    _run(
        binary, f"--screenshot={path}", f"--window-size={size}", "--hide-scrollbars", url=url, timeout=timeout
    )
    if not path.is_file():
        raise AssertionError(f"chromium wrote no screenshot at {path}")
    return path
