"""The in-memory harness lives in awsflow.test; the decider tests import it from here."""

from __future__ import annotations

from awsflow.test._harness import DOMAIN, TASK_LIST, DecisionRecord, Harness

__all__ = ["DOMAIN", "TASK_LIST", "DecisionRecord", "Harness"]
