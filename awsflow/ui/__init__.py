"""The web timeline: ``awsflow ui`` serves a small web app over a JSON API answered from SWF.

- :func:`build_timeline` turns a run's history into a :class:`Timeline` (bars, lanes, points);
- :class:`UiServer` serves the API and the pages (stdlib ``http.server``; 127.0.0.1 by default).

The pages are static files shipped in this package (``awsflow/ui/static``): no build step.

.. versionadded:: 0.1
"""

from __future__ import annotations

from ._server import UiServer
from ._timeline import Bar, BarKind, Lane, Outcome, Point, Timeline, build_timeline

__all__ = ["Bar", "BarKind", "Lane", "Outcome", "Point", "Timeline", "UiServer", "build_timeline"]

for _public in (Bar, BarKind, Lane, Outcome, Point, Timeline, UiServer, build_timeline):
    _public.__module__ = __name__
del _public
