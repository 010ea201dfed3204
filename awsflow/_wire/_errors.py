"""SWF's error answers, parsed and raised exactly as the botocore client raises them.

Errors are rare, so they go through botocore's own JSON parser and its modeled-error fields,
then ``client.exceptions.from_code``: a caller catches ``client.exceptions.UnknownResourceFault``
(or ``ClientError``) with the same ``response`` (``Error.Code``, ``Error.Message``,
``ResponseMetadata``, the fault's ``message``) whichever path made the call.
"""

from __future__ import annotations

from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.parsers import create_parser

__all__ = ["parse_error", "to_exception"]


def parse_error(operation_model: Any, answer: AWSResponse) -> dict[str, Any]:
    """The parsed error answer, as botocore's endpoint makes it (modeled fields included)."""
    protocol = operation_model.service_model.metadata["protocol"]
    parser = create_parser(protocol)
    raw = {"status_code": answer.status_code, "headers": answer.headers, "body": answer.content}
    parsed: dict[str, Any] = parser.parse(raw, operation_model.output_shape)
    code = parsed.get("Error", {}).get("Code")
    if code is not None:
        shape = operation_model.service_model.shape_for_error_code(code)
        if shape is not None:
            parsed.update(parser.parse(raw, shape))
    return parsed


def to_exception(client: Any, operation_name: str, parsed: dict[str, Any]) -> Exception:
    """The exception the botocore client raises for the parsed error answer ``parsed``."""
    error = parsed.get("Error", {})
    code = error.get("QueryErrorCode") or error.get("Code")
    exception: Exception = client.exceptions.from_code(code)(parsed, operation_name)
    return exception
