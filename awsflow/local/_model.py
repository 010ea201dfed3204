"""botocore's bundled SWF model: the single source of operations, shapes and constraints."""

from __future__ import annotations

import functools
from typing import Any

import botocore.loaders


@functools.cache
def service_model() -> dict[str, Any]:
    """The raw ``swf/2012-01-25/service-2`` model botocore ships."""
    model: dict[str, Any] = botocore.loaders.Loader().load_service_model("swf", "service-2")
    return model


def operation_names() -> list[str]:
    """The model's operations (39 for SWF 2012-01-25)."""
    return sorted(service_model()["operations"])


def input_shape(operation: str) -> str | None:
    """The input shape name of ``operation`` (None if it takes no input)."""
    shape = service_model()["operations"][operation].get("input")
    return shape["shape"] if shape else None


def shape(name: str) -> dict[str, Any]:
    spec: dict[str, Any] = service_model()["shapes"][name]
    return spec
