"""Lean requests signed by botocore's SigV4 signer, without its email-message header maps.

``SigV4Auth`` (canonical request, string to sign, key derivation, signature: all botocore's)
collects the headers it signs into an ``HTTPHeaders`` — an ``email.message`` — twice per
request, and reads each back through ``get_all``: a quarter of a signature's CPU for the four
headers of an SWF call. :class:`_Signer` hands it a plain dict of the same lower-cased names
(botocore's own blacklist applied) instead.

And it remembers the signing key. ``SigV4Auth.signature`` derives it from the secret key, the
date, the region and the service in four HMAC steps before the one that signs: the same four
steps, with the same inputs, for every request of a day (a fifth of a signature's CPU). Each step
is still ``SigV4Auth._sign``; its result is kept for the next request with the same inputs
(a few dozen at most, so rotated credentials' keys drop out). Everything else is ``SigV4Auth``'s
own code: the canonical request, the string to sign, the order of the derivation, the signature.
Two more of its pure helpers are remembered by their inputs for the same reason: the signed
header names (the same few for every call) and the canonical form of the endpoint's path.

:class:`Request` is what the signer and the senders need of botocore's ``AWSRequest`` and no more.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from botocore.auth import SIGNED_HEADERS_BLACKLIST, SigV4Auth

__all__ = ["Request", "sign"]


@dataclass(slots=True)
class Request:
    """A request as botocore's ``SigV4Auth`` signs it and the senders send it.

    What ``SigV4Auth.add_auth`` reads and writes of botocore's ``AWSRequest`` (method, url,
    headers, body, params, context), without the email-message headers and the two body
    preparations that cost an ``AWSRequest`` a third of a lean call. The headers are a plain dict:
    every name in it is spelled as the signer spells it (``X-Amz-Date``, ``Authorization``...),
    and ``Host`` is among them (see :func:`sign`).
    """

    url: str
    headers: dict[str, str]
    body: bytes
    method: str = "POST"
    params: dict[str, str] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)


class _HeadersToSign(dict[str, str]):
    """The headers to sign, lower-cased, as ``SigV4Auth.canonical_headers`` reads them."""

    def get_all(self, name: str) -> list[str]:
        return [self[name]]  # a plain dict holds one value a name: the request's headers do too


class _Signer(SigV4Auth):  # type: ignore[misc]  # botocore ships no types
    """botocore's ``SigV4Auth``: its headers to sign in a plain dict, its derived keys kept
    (see the module docstring)."""

    def _sign(self, key: bytes, msg: str, hex: bool = False) -> Any:
        if hex:  # the signature of this request's string to sign
            return super()._sign(key, msg, hex=True)
        return _derived_key(key, msg)  # a step of the signing key's derivation

    # A _Signer signs one request (sign() makes one for each). add_auth asks for its headers to
    # sign twice, both times after setting the date headers: they are collected once.
    _collected: _HeadersToSign | None = None

    def headers_to_sign(self, request: Any) -> _HeadersToSign:
        # The same selection as SigV4Auth.headers_to_sign: every header not on botocore's
        # blacklist, by its lower-cased name. The Host header is always given (see sign()).
        if self._collected is None:
            collected = _HeadersToSign()
            for name, value in request.headers.items():
                lname = name.lower()
                if lname not in SIGNED_HEADERS_BLACKLIST:
                    collected[lname] = value
            self._collected = collected
        return self._collected

    def signed_headers(self, headers_to_sign: Any) -> str:
        # The same few names for every call of an operation: botocore sorts and joins them once.
        return _signed_headers(tuple(headers_to_sign))

    def _normalize_url_path(self, path: str) -> str:
        return _normalized_path(path)  # the endpoint's path: the same for every request


class _Steps(SigV4Auth):  # type: ignore[misc]  # botocore ships no types
    """``SigV4Auth``'s own pure steps, reached as its subclass (for the caches below)."""

    def derived_key(self, key: bytes, msg: str) -> bytes:
        derived: bytes = self._sign(key, msg)
        return derived

    def normalized_path(self, path: str) -> str:
        normalized: str = self._normalize_url_path(path)
        return normalized


_PLAIN = _Steps(None, "", "")


@functools.lru_cache(maxsize=64)
def _signed_headers(names: tuple[str, ...]) -> str:
    """``SigV4Auth.signed_headers`` of headers with these names."""
    signed: str = _PLAIN.signed_headers(dict.fromkeys(names))
    return signed


@functools.lru_cache(maxsize=16)
def _normalized_path(path: str) -> str:
    """``SigV4Auth``'s canonical form of a request path."""
    return _PLAIN.normalized_path(path)


@functools.lru_cache(maxsize=64)
def _derived_key(key: bytes, msg: str) -> bytes:
    """One step of SigV4's key derivation, by botocore's own ``SigV4Auth._sign``."""
    return _PLAIN.derived_key(key, msg)


def sign(request: Request, credentials: Any, signing_name: str, region: str) -> None:
    """Sign ``request`` in place (``X-Amz-Date``, ``X-Amz-Security-Token``, ``Authorization``).

    ``credentials`` are frozen ones (``get_frozen_credentials()`` of the client's, read for each
    request so refreshed ones are used). ``request.headers`` must hold ``Host``: botocore's
    signer would work it out of the URL, the one header it signs that is not in the request.
    """
    if "Host" not in request.headers:
        raise ValueError("a lean request carries its Host header")
    _Signer(credentials, signing_name, region).add_auth(request)
