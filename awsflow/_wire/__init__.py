"""The workers' lean wire path to SWF (issue 13): the hot calls without botocore's per-call cost.

- :mod:`._client`: :class:`LeanClient`, the hot operations signed by botocore's SigV4 signer,
  retried by the botocore client's retry handler, errors raised as its exceptions;
- :mod:`._eligibility`: when a botocore client may be bypassed (the fallback rule);
- :mod:`._codec`: JSON in and out (orjson with the ``fast`` extra, else the stdlib);
- :mod:`._connections`: a kept-alive connection per thread, botocore's connection errors;
- :mod:`._errors`: error answers parsed and raised exactly as botocore does.
"""

from __future__ import annotations

from ._client import LeanClient, Request, Send
from ._codec import decode, encode
from ._eligibility import HOT_OPERATIONS, fallback_reason

__all__ = ["HOT_OPERATIONS", "LeanClient", "Request", "Send", "decode", "encode", "fallback_reason"]
