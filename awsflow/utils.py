"""botoflow compatibility: the one name of ``botoflow.utils`` that programs use.

botoflow documented building the mapping behind a
:class:`~awsflow.workers.GenericWorkflowWorker`'s ``get_workflow`` with
``botoflow.utils.extract_workflows_dict``; this module re-exports it from where it lives
(``awsflow.workers``' registry of what a worker serves), so such code runs after replacing
``botoflow`` by ``awsflow``. It holds nothing of its own: awsflow keeps no helper grab-bag, and
botoflow's other helpers here (``str_or_NONE``, ``random_sha1_hash``, ``pairwise``, the
camelCase/snake_case converters) were internal and are not provided.

Example::

    from awsflow.utils import extract_workflows_dict

    workflows = extract_workflows_dict([OrderWorkflow, RefundWorkflow])
    worker = GenericWorkflowWorker(
        session, "us-east-1", "shop", "decisions", lambda name, version: workflows[(name, version)]
    )
"""

from __future__ import annotations

from .workers._registry import extract_workflows_dict

__all__ = ["extract_workflows_dict"]

extract_workflows_dict.__module__ = __name__
