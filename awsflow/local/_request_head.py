"""The head of an HTTP/1.x request (request line and header fields), parsed from its lines.

Pure: the HTTP front reads the lines (with its deadlines and length limits) and hands them here.
This replaces the stdlib's ``http.server`` parsing, which runs every head through the ``email``
package — the largest single cost of a request in the service's profile, for the dozen short
header lines a botocore client sends. The rules are the stdlib's, except that a header name must
be an HTTP token (RFC 9110 section 5.1), where the ``email`` parser also took ``"(),/;<=>?@[]{}``:

* the request line is ``METHOD TARGET HTTP/x.y`` (words split on whitespace, ISO-8859-1), with
  ``x`` and ``y`` decimal numbers of at most 10 digits, below HTTP/2.0; two words is HTTP/0.9,
  which the front refuses;
* a field line is ``name: value``, the name an HTTP token (printable ASCII without ``:`` or
  spaces); a line starting with a space or tab continues the field before it (obsolete line
  folding, joined with a space as RFC 9112 section 5.2 allows); anything else is malformed;
* HTTP/1.1 keeps the connection open unless ``Connection: close``; HTTP/1.0 closes it unless
  ``Connection: keep-alive``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .engine import SerializationException

__all__ = ["RequestHead", "RequestLine", "parse_field_block", "parse_fields", "parse_request_line"]

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# What every client sends: a method, a target of printable ASCII, HTTP/1.0 or 1.1 (bytes).
_PLAIN_LINE = re.compile(rb"([A-Z]+) ([!-~]+) HTTP/1\.([01])\r\n")
_LINE_END = "\r\n"
_SPACE = " \t"  # optional whitespace around a field's value


@dataclass(frozen=True, slots=True)
class RequestLine:
    """A parsed request line; ``version`` is ``(major, minor)``, ``(0, 9)`` for HTTP/0.9."""

    method: str
    target: str
    version: tuple[int, int]


@dataclass(frozen=True, slots=True)
class RequestHead:
    """A request's line and header fields (names lower-cased, values in arrival order)."""

    line: RequestLine
    fields: dict[str, list[str]]

    def get(self, name: str, default: str = "") -> str:
        """The first value of the field ``name`` (lower case), or ``default``."""
        values = self.fields.get(name)
        return values[0] if values else default

    @property
    def keep_alive(self) -> bool:
        """Whether the client lets the connection serve another request after this one."""
        connection = self.get("connection").lower()
        if self.line.version >= (1, 1):
            return connection != "close"
        return connection == "keep-alive"

    @property
    def expects_continue(self) -> bool:
        """Whether the client waits for ``100 Continue`` before sending the body."""
        return self.line.version >= (1, 1) and self.get("expect").lower() == "100-continue"


def parse_request_line(raw: bytes) -> RequestLine | None:
    """Parse a request line (with its line end); None for a blank line (no request at all).

    Raises:
        SerializationException: not ``METHOD TARGET [HTTP/x.y]``, or an HTTP version that is
            malformed or 2.0 and above.
    """
    plain = _PLAIN_LINE.fullmatch(raw)
    if plain is not None and not plain[2].startswith(b"//"):
        return RequestLine(plain[1].decode(), plain[2].decode(), (1, int(plain[3])))
    text = str(raw, "iso-8859-1").rstrip(_LINE_END)
    words = text.split()
    if not words:
        return None
    if len(words) == 2:
        return RequestLine(words[0], words[1], (0, 9))
    if len(words) != 3:
        raise SerializationException(f"Malformed HTTP request: Bad request syntax ({_shown(text)})")
    method, target, version = words
    if not version.startswith("HTTP/"):
        raise SerializationException(f"Malformed HTTP request: Bad request version ({_shown(version)})")
    numbers = version[5:].split(".")
    if len(numbers) != 2 or not all(n.isdigit() and n.isascii() and len(n) <= 10 for n in numbers):
        raise SerializationException(f"Malformed HTTP request: Bad request version ({_shown(version)})")
    parsed = (int(numbers[0]), int(numbers[1]))
    if parsed >= (2, 0):
        raise SerializationException(f"Malformed HTTP request: Invalid HTTP version ({version[5:]})")
    if target.startswith("//"):
        target = "/" + target.lstrip("/")  # as the stdlib: never a scheme-relative reference
    return RequestLine(method, target, parsed)


def parse_fields(lines: list[bytes]) -> dict[str, list[str]]:
    """Parse header field lines (each with its line end, without the blank line that ends them).

    Raises:
        SerializationException: a line that is neither ``name: value`` nor a continuation of
            the field before it.
    """
    fields: dict[str, list[str]] = {}
    last: list[str] | None = None
    for raw in lines:
        text = str(raw, "iso-8859-1").rstrip(_LINE_END)
        if text[:1] in (" ", "\t"):
            if last is None:
                raise SerializationException(
                    "Malformed HTTP headers: the first header line is a continuation"
                )
            last[-1] = (last[-1] + " " + text.strip(_SPACE)).strip(_SPACE)
            continue
        name, colon, value = text.partition(":")
        if not colon or _TOKEN.fullmatch(name) is None:
            raise SerializationException(f"Malformed HTTP headers: not a header line ({_shown(text)})")
        last = fields.setdefault(name.lower(), [])
        last.append(value.strip(_SPACE))
    return fields


def parse_field_block(data: bytes, max_fields: int) -> tuple[dict[str, list[str]], int] | None:
    """Parse the header lines at the start of ``data`` in one go, if they are plain.

    ``data`` is what has arrived after the request line (it may run on into the body). Returns
    the fields and how many bytes they took, blank line included; or None when the blank line
    has not arrived yet, a line is folded or malformed, or there are more than ``max_fields``:
    then :func:`parse_fields` takes the lines one by one (and gives the error, if any).
    """
    if data.startswith(b"\r\n"):
        return {}, 2
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None
    block = str(data[:end], "iso-8859-1")
    lines = block.split(_LINE_END)
    if len(lines) > max_fields or not block.count("\r") == block.count("\n") == len(lines) - 1:
        return None  # too many, or a CR or LF that does not end a line
    fields: dict[str, list[str]] = {}
    token = _TOKEN.fullmatch
    for line in lines:
        name, colon, value = line.partition(":")
        if not colon or token(name) is None:
            return None  # folded (starts with a space) or malformed
        key = name.lower()
        value = value.strip(_SPACE)
        if key in fields:
            fields[key].append(value)
        else:
            fields[key] = [value]
    return fields, end + 4


def _shown(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:80] + "...")
