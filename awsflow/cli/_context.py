"""What an ``awsflow`` command runs with (:class:`Cli`): its parsed options, an SWF client made
from them on first use, and its output; and :func:`make_client`, the client the options name
(``awsflow local --ui`` makes one for the service it starts).
"""

from __future__ import annotations

import argparse
import os
from typing import Any, TextIO
from urllib.parse import urlparse

import botocore.exceptions
import botocore.session
from botocore.config import Config

from ..handles import client_caller
from ._errors import CliError, Exit
from ._format import to_json

__all__ = ["Cli", "make_client"]


class Cli:
    """What a command runs with: its arguments' shared options, a client, and the output."""

    def __init__(self, args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> None:
        self.args = args
        self.stdout = stdout
        self.stderr = stderr
        self._client: Any = None

    @property
    def json(self) -> bool:
        """Whether ``--json`` asked for JSON output."""
        return bool(getattr(self.args, "json", False))

    @property
    def domain(self) -> str:
        """``--domain`` (or AWSFLOW_DOMAIN).

        Raises:
            CliError: neither is set.
        """
        domain = getattr(self.args, "domain", None) or os.environ.get("AWSFLOW_DOMAIN")
        if not domain:
            raise CliError("no domain: pass --domain NAME or set AWSFLOW_DOMAIN")
        return str(domain)

    @property
    def client(self) -> Any:
        """A botocore SWF client from the options and botocore's chain (made on first use)."""
        if self._client is None:
            self._client = make_client(
                getattr(self.args, "endpoint_url", None),
                getattr(self.args, "region", None),
                getattr(self.args, "profile", None),
            )
        return self._client

    def call(self, operation: str, request: dict[str, Any]) -> Any:
        """One SWF request; SWF's refusals raise SWFResponseError subclasses."""
        return client_caller(self.client)(operation, request)

    def print(self, *lines: str) -> None:
        """Write lines to stdout."""
        for line in lines:
            print(line, file=self.stdout)

    def print_json(self, value: Any) -> None:
        """Write ``value`` as JSON to stdout."""
        print(to_json(value), file=self.stdout)

    def warn(self, message: str) -> None:
        """One line on stderr."""
        print(f"awsflow: {message}", file=self.stderr)


def make_client(endpoint_url: str | None, region: str | None, profile: str | None) -> Any:
    """A botocore SWF client.

    With an endpoint on this machine (awsflow.local) and no credentials anywhere in the chain,
    fixed dummy credentials are used: awsflow.local checks signatures only with
    ``--verify-sigv4``. Elsewhere missing credentials are an error, as botocore makes them.

    Raises:
        CliError: the profile does not exist, or no region is configured.
    """
    try:
        session = botocore.session.Session(profile=profile)
        endpoint_url = (
            endpoint_url
            or os.environ.get("AWS_ENDPOINT_URL_SWF")
            or session.get_config_variable("endpoint_url")
            or None
        )
        region = region or session.get_config_variable("region")
        local = endpoint_url is not None and urlparse(endpoint_url).hostname in (
            "127.0.0.1",
            "localhost",
            "::1",
        )
        if region is None:
            if not local and endpoint_url is None:
                raise CliError("no region: pass --region or set AWS_DEFAULT_REGION", Exit.UNREACHABLE)
            region = "us-east-1"
        credentials: dict[str, str] = {}
        if local and session.get_credentials() is None:
            credentials = {"aws_access_key_id": "awsflow-local", "aws_secret_access_key": "awsflow-local"}
        config = Config(retries={"mode": "standard", "max_attempts": 2}, connect_timeout=5, read_timeout=70)
        return session.create_client(
            "swf", region_name=region, endpoint_url=endpoint_url, config=config, **credentials
        )
    except botocore.exceptions.ProfileNotFound as error:
        raise CliError(str(error), Exit.UNREACHABLE) from error
