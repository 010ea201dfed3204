"""A file-processing pipeline: a choice on a result, a parallel branch, retry one error, catch another.

    python examples/cookbook/file_pipeline.py

Each uploaded file is inspected first; what happens next depends on what it is (a choice on an
activity's result). An image gets a thumbnail and its metadata read in parallel; a document is
converted to PDF. Storing the outcome times out now and then: ``StorageTimeout`` is retried by
the activities' policy, and only that error. A ``CorruptFile`` is not worth retrying: the
workflow catches it and falls back to quarantining the file.
"""

from __future__ import annotations

from typing import Any

from awsflow import RetryPolicy, WorkflowDefinition, activities, activity, execute, get_context
from awsflow.core import AllFuture
from awsflow.exceptions import ActivityTaskFailedError
from awsflow.testing import WorkflowEnvironment


class StorageTimeout(Exception):
    """The object store did not answer in time: the next attempt will likely succeed."""


class CorruptFile(Exception):
    """The file cannot be read: no retry will change that."""


# Retry only StorageTimeout, up to 4 attempts, 5 s then 10 s then 20 s apart.
STORAGE_RETRIES = RetryPolicy(initial_interval=5, maximum_attempts=4, retryable=(StorageTimeout,))


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60, retry_policy=STORAGE_RETRIES)
class Files:
    @activity("1.0")
    def inspect(self, path: str) -> str:
        return "image" if path.endswith((".jpg", ".png")) else "document"

    @activity("1.0")
    def thumbnail(self, path: str) -> str:
        return path.rsplit(".", 1)[0] + "-thumb.jpg"

    @activity("1.0")
    def metadata(self, path: str) -> dict[str, Any]:
        if path.startswith("broken"):
            raise CorruptFile("truncated header")
        return {"width": 4032, "height": 3024}

    @activity("1.0")
    def to_pdf(self, path: str) -> str:
        return path.rsplit(".", 1)[0] + ".pdf"

    @activity("1.0")
    def store(self, path: str, outputs: list[str]) -> str:
        attempt = get_context().attempt
        if attempt == 1:
            raise StorageTimeout(f"storing {path}: no answer in 30 s")
        return f"stored {', '.join(outputs)} (attempt {attempt})"

    @activity("1.0")
    def quarantine(self, path: str, reason: str) -> str:
        return f"quarantined {path}: {reason}"


class ProcessUpload(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, path: str) -> Any:
        kind = yield Files.inspect(path)
        if kind == "image":  # a choice on a result
            try:
                thumbnail, meta = yield AllFuture(Files.thumbnail(path), Files.metadata(path))
            except ActivityTaskFailedError as error:
                if not isinstance(error.cause, CorruptFile):
                    raise
                return (yield Files.quarantine(path, str(error.cause)))  # the fallback
            outputs = [thumbnail, f"{meta['width']}x{meta['height']}"]
        else:
            outputs = [(yield Files.to_pdf(path))]
        return (yield Files.store(path, outputs))  # StorageTimeout is retried here


def main() -> None:
    with WorkflowEnvironment() as env:
        env.start_workers(ProcessUpload, Files())
        for path in ("holiday.jpg", "minutes.docx", "broken.png"):
            handle = env.start(ProcessUpload.run, path, workflow_id=f"upload-{path}")
            print(f"{path}: {handle.result()}")
            steps = [
                event["activityTaskScheduledEventAttributes"]["activityType"]["name"].split(".")[1]
                for event in env.history(handle)
                if event["eventType"] == "ActivityTaskScheduled"
            ]
            print(f"  activities: {' '.join(steps)}")


if __name__ == "__main__":
    main()
