"""Certificates on the lean path: the CAs a default botocore client trusts, and stepping aside.

The lean connections (``_connections``) and the workers' abortable polls
(``awsflow.workers._transport``) check an HTTPS endpoint's certificate against the CAs a client
made with the default ``verify=True`` trusts: the bundle ``AWS_CA_BUNDLE`` names, else the CAs
botocore bundles. A client made with ``verify=False`` or ``verify="my-ca.pem"`` (or a profile's
``ca_bundle``) keeps that choice in botocore's HTTP session, where awsflow does not read it. So
when those CAs refuse an endpoint's certificate, the sender steps aside for good: its calls are
made by the botocore client, which applies its own setting — it connects where the user allowed
it, and raises botocore's ``SSLError`` where the certificate is bad. Nothing was sent before the
refusal (it happens in the TLS handshake), so stepping aside never sends a request twice.

Not seen: a profile's ``ca_bundle`` or a ``verify=`` file that trusts *fewer* CAs than the
default; a certificate the default CAs accept is then accepted here too.
"""

from __future__ import annotations

import functools
import logging
import os
import ssl
import threading

from botocore.httpsession import where

__all__ = ["CertificateCheck", "default_ca_context"]

logger = logging.getLogger(__name__)


def default_ca_context() -> ssl.SSLContext:
    """A client TLS context trusting what a default botocore client trusts (see above)."""
    return _context_for(os.environ.get("AWS_CA_BUNDLE") or where())


@functools.lru_cache(maxsize=4)  # made once per bundle: loading one takes milliseconds
def _context_for(cafile: str) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=cafile)


class CertificateCheck:
    """Whether a sender still makes its own HTTPS connections, or has stepped aside (see above)."""

    def __init__(self, sender: str) -> None:
        self._sender = sender
        self._lock = threading.Lock()
        self.stepped_aside = False

    def step_aside(self, url: str, error: ssl.SSLCertVerificationError) -> None:
        """Record the refusal: from now on the botocore client makes this sender's calls."""
        with self._lock:
            if self.stepped_aside:
                return
            self.stepped_aside = True
        logger.warning(
            "%s: the certificate of %s did not verify against the default CAs (%s); "
            "these calls now go through the botocore client, which applies its own verify= "
            "or ca_bundle setting",
            self._sender,
            url,
            error.verify_message or error,
        )
