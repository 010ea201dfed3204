"""The lean wire path to SWF (issue 13): the calls made at rate without botocore's per-call cost —
the workers' hot calls, and any caller's starts and signals.

- :mod:`._client`: :class:`LeanClient`, those operations signed by botocore's SigV4 signer,
  retried by the botocore client's retry handler, errors raised as its exceptions;
- :mod:`._validation`: a start's or signal's request checked by botocore's own validator first;
- :mod:`._signing`: a lean :class:`Request`, signed by botocore's ``SigV4Auth`` without its
  email-message header maps;
- :mod:`._eligibility`: when a botocore client may be bypassed (the fallback rule);
- :mod:`._codec`: JSON in and out (orjson with the ``fast`` extra, else the stdlib);
- :mod:`._connections`: a kept-alive connection per thread, botocore's connection errors;
- :mod:`._http`: HTTP/1.1 on those connections (and the workers' polls'): the request written in
  one piece, the answer's head read without ``http.client``'s email parser;
- :mod:`._errors`: error answers parsed and raised exactly as botocore does;
- :mod:`._tls`: certificates checked against the CAs a default botocore client trusts, and
  stepping aside for the botocore client (and its ``verify=``) when they refuse one.
"""

from __future__ import annotations

from ._client import LeanClient, Send
from ._codec import decode, encode
from ._connections import response, target_of
from ._eligibility import HOT_OPERATIONS, LEAN_OPERATIONS, STARTING_OPERATIONS, fallback_reason
from ._http import Connection
from ._signing import Request
from ._tls import CertificateCheck, default_ca_context

__all__ = [
    "HOT_OPERATIONS",
    "LEAN_OPERATIONS",
    "STARTING_OPERATIONS",
    "CertificateCheck",
    "Connection",
    "LeanClient",
    "Request",
    "Send",
    "decode",
    "default_ca_context",
    "encode",
    "fallback_reason",
    "response",
    "target_of",
]
