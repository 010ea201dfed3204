"""What a worker's child processes sign with: fixed keys copied, refreshable ones resolved again.

A copy of temporary credentials (an instance profile's, a role's) would expire in the child after
some hours; a replacement child would get the same stale copy.
"""

from __future__ import annotations

import datetime
from typing import Any

import botocore.session
import pytest
from botocore.credentials import RefreshableCredentials

from awsflow import ActivityWorker
from awsflow.workers.multiprocessing_executor import _client_from_recipe, _recipe


class Nothing:
    pass


def worker_with(client: Any, session: Any = None) -> ActivityWorker:
    return ActivityWorker(session, "us-east-1", "domain", "tasks", Nothing(), client=client)


def signing(client: Any) -> Any:
    """The credentials a client signs with (botocore keeps them on its signer)."""
    return client._request_signer._credentials.get_frozen_credentials()


def client_with_keys(access: str, secret: str, token: str | None = None) -> Any:
    return botocore.session.get_session().create_client(
        "swf",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:1",
        aws_access_key_id=access,
        aws_secret_access_key=secret,
        aws_session_token=token,
    )


def test_fixed_keys_are_copied_to_the_child() -> None:
    recipe = _recipe(worker_with(client_with_keys("AKIDFIXED", "secret", "token")))
    assert recipe["credentials"] == ("AKIDFIXED", "secret", "token")
    child = signing(_client_from_recipe(recipe))
    assert (child.access_key, child.secret_key, child.token) == ("AKIDFIXED", "secret", "token")


def test_refreshable_credentials_are_resolved_by_the_child_through_the_chain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = client_with_keys("ignored", "ignored")
    expiry = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).isoformat()
    role = RefreshableCredentials.create_from_metadata(
        metadata={"access_key": "ASIAROLE", "secret_key": "s", "token": "t", "expiry_time": expiry},
        refresh_using=lambda: {
            "access_key": "ASIAROLE2",
            "secret_key": "s",
            "token": "t",
            "expiry_time": expiry,
        },
        method="iam-role",
    )
    client._request_signer._credentials = role  # as an instance profile's client holds them
    recipe = _recipe(worker_with(client))
    assert recipe["credentials"] == {"profile": None}  # no copy of the role's keys
    # The child's chain (here the environment; on EC2 the instance profile) gives its own.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDCHILD")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "child-secret")
    child = signing(_client_from_recipe(recipe))
    assert (child.access_key, child.secret_key) == ("AKIDCHILD", "child-secret")
