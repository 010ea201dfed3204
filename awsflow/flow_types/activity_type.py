"""An activity type: its name, version, default timeouts and task list, and how to call it.

Called inside workflow code, an activity type schedules an activity task and returns a Future
of its result. Its options come from three places, later ones winning: ``@activities`` on the
class, ``@activity`` on the method (botoflow's order: the class only fills what the method left
unset), then any enclosing ``activity_options(...)`` blocks, innermost last. A ``retry_policy``
(:mod:`awsflow.retry_policy`) set at any of these levels retries the call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._runtime import NO_ACTIVITY_OVERRIDES, ActivityOverrides, DecisionContext, current
from .._swf import LIMITS, SwfType
from ..constants import NO_DEFAULT_TASK_LIST, USE_WORKER_TASK_LIST
from ..data_converter import AbstractDataConverter, JSONDataConverter
from ._timeouts import str_or_none

if TYPE_CHECKING:
    from ..retry_policy import RetryPolicy

__all__ = ["ActivityType"]

_TIMEOUT_FIELDS = (
    ("heartbeat_timeout", "heartbeatTimeout", "defaultTaskHeartbeatTimeout"),
    ("schedule_to_start_timeout", "scheduleToStartTimeout", "defaultTaskScheduleToStartTimeout"),
    ("start_to_close_timeout", "startToCloseTimeout", "defaultTaskStartToCloseTimeout"),
    ("schedule_to_close_timeout", "scheduleToCloseTimeout", "defaultTaskScheduleToCloseTimeout"),
)


class ActivityType(SwfType):
    """One activity type (name and version) with its registration defaults."""

    DEFAULT_DATA_CONVERTER: AbstractDataConverter = JSONDataConverter()

    def __init__(
        self,
        version: str,
        name: str | None = None,
        task_list: str | None = USE_WORKER_TASK_LIST,
        heartbeat_timeout: int | None = None,
        schedule_to_start_timeout: int | None = None,
        start_to_close_timeout: int | None = None,
        schedule_to_close_timeout: int | None = None,
        description: str | None = None,
        data_converter: AbstractDataConverter | None = None,
        skip_registration: bool = False,
        manual: bool = False,
        task_priority: int | None = None,
        retry_policy: RetryPolicy | None = None,
        auto_heartbeat: bool = True,
    ) -> None:
        self.version = str(version)
        self.name = name
        self.task_list = task_list
        self.heartbeat_timeout = heartbeat_timeout
        self.schedule_to_start_timeout = schedule_to_start_timeout
        self.start_to_close_timeout = start_to_close_timeout
        self.schedule_to_close_timeout = schedule_to_close_timeout
        self.description = description
        self.skip_registration = skip_registration
        self.manual = manual
        self.task_priority = task_priority
        self.retrying: Any = None
        self.retry_policy = retry_policy
        self.auto_heartbeat = auto_heartbeat
        self.data_converter = data_converter if data_converter is not None else self.DEFAULT_DATA_CONVERTER
        self._explicit_name = name is not None

    def apply_class_default(self, key: str, value: Any) -> None:
        """Apply a class-level (``@activities``) default where the method left the option unset."""
        if getattr(self, key) is None or (key == "task_list" and self.task_list == USE_WORKER_TASK_LIST):
            setattr(self, key, value)

    def assign_name(self, cls: type, func: Any, activity_name_prefix: str = "") -> None:
        """Name the type: ``prefix + method`` with a prefix, else ``Class.method``; an explicit name stays.

        botoflow documented this rule but ignored the prefix (a bug); awsflow follows the docs.
        """
        if self._explicit_name:
            return
        if activity_name_prefix:
            self.name = f"{activity_name_prefix}{func.__name__}"
        else:
            self.name = f"{cls.__name__}.{func.__name__}"

    # -- wire dictionaries ----------------------------------------------------------------------
    def to_decision_dict(self) -> dict[str, Any]:
        """The options of a ScheduleActivityTask decision, in botoflow's snake_case form."""
        return {
            "activity_type_version": self.version,
            "activity_type_name": self.name,
            "task_list": {"name": self.task_list},
            "heartbeat_timeout": str_or_none(self.heartbeat_timeout),
            "schedule_to_start_timeout": str_or_none(self.schedule_to_start_timeout),
            "start_to_close_timeout": str_or_none(self.start_to_close_timeout),
            "schedule_to_close_timeout": str_or_none(self.schedule_to_close_timeout),
        }

    def schedule_attributes(self, overrides: ActivityOverrides, worker_task_list: str) -> dict[str, Any]:
        """``scheduleActivityTaskDecisionAttributes`` (without id and input), overrides applied."""
        options = {
            "name": self.name,
            "version": self.version,
            "task_list": self.task_list,
            "task_priority": self.task_priority,
            **{field: getattr(self, field) for field, _, _ in _TIMEOUT_FIELDS},
        }
        if overrides is not NO_ACTIVITY_OVERRIDES:
            options.update(overrides.as_dict())
        attributes: dict[str, Any] = {
            "activityType": {"name": options["name"], "version": str(options["version"])}
        }
        task_list = options["task_list"]
        if isinstance(task_list, dict):
            task_list = task_list.get("name")
        if task_list == USE_WORKER_TASK_LIST:
            task_list = worker_task_list
        if task_list is not None and task_list != NO_DEFAULT_TASK_LIST:
            attributes["taskList"] = {"name": str(task_list)}
        for field, wire, _ in _TIMEOUT_FIELDS:
            attributes[wire] = str_or_none(options[field])
        if options["task_priority"] is not None:
            attributes["taskPriority"] = str(options["task_priority"])
        return attributes

    def to_registration_options_dict(self, domain: str, worker_task_list: str) -> dict[str, Any] | None:
        """The RegisterActivityType request, or None with ``skip_registration``."""
        if self.skip_registration:
            return None
        task_list = worker_task_list if self.task_list == USE_WORKER_TASK_LIST else self.task_list
        options: dict[str, Any] = {"domain": domain, "version": self.version, "name": self.name}
        if task_list is not None and task_list != NO_DEFAULT_TASK_LIST:
            options["defaultTaskList"] = {"name": str(task_list)}
        for field, _, registration in _TIMEOUT_FIELDS:
            options[registration] = str_or_none(getattr(self, field))
        if self.task_priority is not None:
            options["defaultTaskPriority"] = str(self.task_priority)
        if self.description:
            options["description"] = self.description[: LIMITS.description]
        return options

    # -- calling --------------------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Schedule this activity from workflow code; returns a Future of its result."""
        context = current()
        if not isinstance(context, DecisionContext):
            raise TypeError(
                f"Activity {self.name} can only be scheduled from workflow code (a decision context); "
                "to run it directly, call the method on an instance of its class"
            )
        # The runtime applies the retry policy, if the call has one.
        return context.runtime.schedule_activity(self, args, kwargs, context.activity_overrides)

    def __getstate__(self) -> dict[str, Any]:
        # Travels inside ActivityTaskFailedError: only the identifying fields.
        state = dict(self.__dict__)
        for private in ("retrying", "retry_policy", "data_converter", "description", "skip_registration"):
            state.pop(private, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ActivityType) and (self.name, self.version) == (other.name, other.version)

    def __hash__(self) -> int:
        return hash((self.name, self.version))

    def __repr__(self) -> str:
        return f"<ActivityType name={self.name} version={self.version}>"
