"""When a botocore client may be bypassed by the lean path, and why not.

The lean path reproduces what a plain botocore SWF client does on the wire (JSON 1.0, SigV4,
botocore's retry handler and error mapping). It steps aside — the call goes through the
botocore client, unchanged — whenever the client could behave otherwise:

- it is not an SWF client speaking JSON with SigV4 (e.g. ``signature_version=UNSIGNED``), or has
  no credentials;
- its endpoint is not ``http://`` or ``https://``;
- a proxy is configured (client config ``proxies``, or the ``HTTP(S)_PROXY`` environment):
  botocore knows those rules;
- anything but botocore (or awsflow itself) listens to the client's events for any operation
  sent the lean way (:data:`LEAN_OPERATIONS`): a ``Stubber``, a user's
  ``before-call``/``before-send``/``after-call`` hook...

The rule is applied to the whole client, at the first lean-eligible call an awsflow caller (a
worker, a ``workflow_starter``) makes (see ``LeanClient.for_client``). Not
seen here: a ``verify=`` given to ``create_client`` (botocore keeps it in its HTTP session). Over
HTTPS the lean path checks certificates against the CAs a default client trusts, and steps
aside for good, to the client and its own ``verify=``, when they refuse one (``_tls``).
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from botocore import UNSIGNED

__all__ = ["HOT_OPERATIONS", "LEAN_OPERATIONS", "STARTING_OPERATIONS", "credentials_of", "fallback_reason"]

# What workers call all the time: their polls, answers, heartbeats and history reads.
HOT_OPERATIONS = frozenset(
    {
        "PollForDecisionTask",
        "PollForActivityTask",
        "RespondDecisionTaskCompleted",
        "RespondActivityTaskCompleted",
        "RespondActivityTaskFailed",
        "RespondActivityTaskCanceled",
        "RecordActivityTaskHeartbeat",
        "GetWorkflowExecutionHistory",
    }
)

# What any caller (a workflow_starter, a worker, a handle) makes at a service's rate: a starter
# process spent ~1 ms of CPU per start in botocore, against ~0.2 ms the lean way. Their requests
# carry what users choose (ids, names, tags), so the lean client checks them as botocore does.
STARTING_OPERATIONS = frozenset({"StartWorkflowExecution", "SignalWorkflowExecution"})

# Every operation that may go the lean way; a foreign hook on any of them keeps the client's calls
# all on botocore.
LEAN_OPERATIONS = HOT_OPERATIONS | STARTING_OPERATIONS

# The events a botocore call emits; a handler on any of them may change what a call does.
_CALL_EVENTS = (
    "provide-client-params",
    "before-parameter-build",
    "before-call",
    "request-created",
    "choose-signer",
    "before-sign",
    "before-send",
    "before-parse",
    "needs-retry",
    "after-call",
    "after-call-error",
)

# Handler modules whose hooks a lean call reproduces (botocore's own; awsflow's poll hooks).
_KNOWN_HANDLER_MODULES = ("botocore.", "boto3.", "awsflow.")
_FOREIGN_BOTOCORE_MODULES = ("botocore.stub",)


def fallback_reason(client: Any) -> str | None:
    """Why ``client`` must make all its calls itself, or None if the lean path may make those of
    :data:`LEAN_OPERATIONS`."""
    meta = getattr(client, "meta", None)
    if meta is None or not hasattr(meta, "service_model") or not hasattr(meta, "events"):
        return f"not a botocore client: {type(client).__name__}"
    model = meta.service_model
    if model.service_name != "swf" or model.metadata.get("protocol") != "json":
        return f"not an SWF JSON client ({model.service_name}, {model.metadata.get('protocol')})"
    if meta.config.signature_version is UNSIGNED or meta.config.signature_version not in (None, "v4"):
        return f"signature version {meta.config.signature_version!r}"
    if credentials_of(client) is None:
        return "no credentials"
    scheme = urlsplit(meta.endpoint_url).scheme
    if scheme not in ("http", "https"):
        return f"endpoint scheme {scheme!r}"
    proxy_names = ("HTTPS_PROXY", "https_proxy") if scheme == "https" else ("HTTP_PROXY", "http_proxy")
    if meta.config.proxies or any(os.environ.get(name) for name in proxy_names):
        return "a proxy is configured"
    foreign = _foreign_handlers(client)
    if foreign:
        return f"event handlers of its own: {', '.join(sorted(foreign))}"
    return None


def credentials_of(client: Any) -> Any:
    """The credentials ``client`` signs with (refreshable ones refresh on use), or None."""
    return client._get_credentials()  # botocore's own accessor for its request signer's credentials


def _foreign_handlers(client: Any) -> set[str]:
    # botocore has no public way to list handlers; its emitter's prefix trie is the one place.
    # The EventAliaser wraps a HierarchicalEmitter, whose _handlers trie answers prefix_search.
    handlers = client.meta.events._emitter._handlers
    service_id = client.meta.service_model.service_id.hyphenize()
    foreign: set[str] = set()
    for operation in LEAN_OPERATIONS:
        for event in _CALL_EVENTS:
            for handler in handlers.prefix_search(f"{event}.{service_id}.{operation}"):
                module = getattr(handler, "__module__", None) or ""
                known = module.startswith(_KNOWN_HANDLER_MODULES) and not module.startswith(
                    _FOREIGN_BOTOCORE_MODULES
                )
                if not known:
                    foreign.add(f"{module}.{getattr(handler, '__qualname__', repr(handler))}")
    return foreign
