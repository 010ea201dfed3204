"""Optional SigV4 verification (``--verify-sigv4 ACCESS_KEY:SECRET``).

Recomputes the AWS Signature Version 4 of a request from the shared secret and compares it with
the one in the ``Authorization`` header, so a local deployment can refuse unsigned or tampered
requests the way AWS does. Any region is accepted in the credential scope; the service must be
``swf``.
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
    """Raise a fault unless the request carries a valid SigV4 signature by ``access_key``."""
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
    if now is not None:
        try:
            signed_at = calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ"))
        except ValueError as err:
            raise IncompleteSignatureException(f"Invalid X-Amz-Date: {amz_date}") from err
        if abs(now - signed_at) > _MAX_SKEW_SECONDS:
            raise InvalidSignatureException(
                f"Signature expired: {amz_date} is now earlier or later than 15 minutes"
            )
    signed_headers = fields["SignedHeaders"].split(";")
    canonical_headers = ""
    for name in signed_headers:
        value = _header(headers, name)
        if value is None:
            raise IncompleteSignatureException(f"Signed header '{name}' is missing from the request")
        canonical_headers += f"{name}:{' '.join(value.strip().split())}\n"
    payload_hash = _header(headers, "X-Amz-Content-Sha256") or hashlib.sha256(body).hexdigest()
    if payload_hash != hashlib.sha256(body).hexdigest() and payload_hash != "UNSIGNED-PAYLOAD":
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
    if not hmac.compare_digest(expected, fields["Signature"]):
        raise InvalidSignatureException(_MISMATCH)
