"""Optional SigV4 verification (``--verify-sigv4 ACCESS_KEY:SECRET``).

Recomputes the AWS Signature Version 4 of a request from the shared secret and compares it with
the one in the ``Authorization`` header, so a local deployment can refuse unsigned or tampered
requests the way AWS does. Any region is accepted in the credential scope; the service must be
``swf``.

As on AWS, a signature is good for 15 minutes either side of its ``X-Amz-Date`` — measured on
the service's clock — so a captured request cannot be replayed later. The wording of the
refusal is AWS's (``InvalidSignatureException``, HTTP 400, as SDKs have logged it for JSON
services): ``Signature expired: 20140325T143453Z is now earlier than 20140325T143751Z
(20140325T145251Z - 15 min.)``, and ``Signature not yet current: ... is still later than ...
(... + 15 min.)`` for a date in the future.

The payload is always hashed here. SWF's JSON protocol signs the body, so a client that sends
``X-Amz-Content-Sha256: UNSIGNED-PAYLOAD`` (allowed by S3 only) gets the signature mismatch AWS
gives it: the canonical request is built from the body actually received.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import time
import urllib.parse
from collections.abc import Mapping

from .engine import IncompleteSignatureException, InvalidSignatureException, UnrecognizedClientException

_ALGORITHM = "AWS4-HMAC-SHA256"
_MAX_SKEW_SECONDS = 15 * 60
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS "
    "Secret Access Key and signing method. Consult the service documentation for details."
)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def _parse_authorization(value: str) -> dict[str, str]:
    algorithm, _, rest = value.partition(" ")
    if algorithm != _ALGORITHM:
        raise IncompleteSignatureException(f"Unsupported authorization algorithm: {algorithm or 'none'}")
    fields = {}
    for part in rest.split(","):
        key, sep, val = part.strip().partition("=")
        if sep:
            fields[key] = val
    if not {"Credential", "SignedHeaders", "Signature"} <= fields.keys():
        raise IncompleteSignatureException(
            "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters"
        )
    return fields


def _canonical_query(query: str) -> str:
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    encoded = sorted(
        (urllib.parse.quote(k, safe="-_.~"), urllib.parse.quote(v, safe="-_.~")) for k, v in pairs
    )
    return "&".join(f"{k}={v}" for k, v in encoded)


def _parse_amz_date(amz_date: str) -> int:
    try:
        return calendar.timegm(time.strptime(amz_date, _AMZ_DATE))
    except ValueError as err:
        raise IncompleteSignatureException(
            f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'. See "
            "http://en.wikipedia.org/wiki/ISO_8601"
        ) from err


def _check_skew(signed_at: float, now: float) -> None:
    def stamp(instant: float) -> str:
        return time.strftime(_AMZ_DATE, time.gmtime(instant))

    if signed_at < now - _MAX_SKEW_SECONDS:
        raise InvalidSignatureException(
            f"Signature expired: {stamp(signed_at)} is now earlier than "
            f"{stamp(now - _MAX_SKEW_SECONDS)} ({stamp(now)} - 15 min.)"
        )
    if signed_at > now + _MAX_SKEW_SECONDS:
        raise InvalidSignatureException(
            f"Signature not yet current: {stamp(signed_at)} is still later than "
            f"{stamp(now + _MAX_SKEW_SECONDS)} ({stamp(now)} + 15 min.)"
        )


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def verify_sigv4(
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    access_key: str,
    secret_key: str,
    *,
    now: float | None = None,
) -> None:
    """Raise a fault unless the request carries a valid SigV4 signature by ``access_key``.

    ``now`` is the service's clock; None skips the 15-minute window (for tests of the rest).
    """
    authorization = _header(headers, "Authorization")
    if not authorization:
        raise IncompleteSignatureException("Request is missing Authentication Token")
    fields = _parse_authorization(authorization)
    scope = fields["Credential"].split("/")
    if len(scope) != 5 or scope[3] != "swf" or scope[4] != "aws4_request":
        raise IncompleteSignatureException(
            f"Credential should be scoped correctly to service 'swf': {fields['Credential']}"
        )
    key_id, date, region, service, terminator = scope
    if key_id != access_key:
        raise UnrecognizedClientException("The security token included in the request is invalid.")
    amz_date = _header(headers, "X-Amz-Date")
    if not amz_date or not amz_date.startswith(date):
        raise IncompleteSignatureException(
            "X-Amz-Date is missing or does not match the credential scope date"
        )
    signed_at = _parse_amz_date(amz_date)
    if now is not None:
        _check_skew(signed_at, now)
    signed_headers = fields["SignedHeaders"].split(";")
    canonical_headers = ""
    for name in signed_headers:
        value = _header(headers, name)
        if value is None:
            raise IncompleteSignatureException(f"Signed header '{name}' is missing from the request")
        canonical_headers += f"{name}:{' '.join(value.strip().split())}\n"
    payload_hash = hashlib.sha256(body).hexdigest()
    declared = _header(headers, "X-Amz-Content-Sha256")
    if declared is not None and declared != payload_hash:
        raise InvalidSignatureException(_MISMATCH)
    canonical_request = "\n".join(
        [
            method,
            urllib.parse.quote(path or "/", safe="/-_.~"),
            _canonical_query(query),
            canonical_headers,
            fields["SignedHeaders"],
            payload_hash,
        ]
    )
    string_to_sign = "\n".join(
        [_ALGORITHM, amz_date, "/".join(scope[1:]), hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    key = _hmac(("AWS4" + secret_key).encode(), date)
    for part in (region, service, terminator):
        key = _hmac(key, part)
    expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    # Bytes: compare_digest refuses str with non-ASCII characters, which a header may hold.
    if not hmac.compare_digest(expected.encode(), fields["Signature"].encode("utf-8", "replace")):
        raise InvalidSignatureException(_MISMATCH)
