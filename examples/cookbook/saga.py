"""A saga: steps that each have an undo, undone in reverse order when a later step fails.

    python examples/cookbook/saga.py

Booking a trip reserves a flight, then a hotel, then a car. Each reservation that succeeded
registers its compensation; if a later step fails, the workflow runs the compensations of the
steps already done, newest first, and reports the failure. Compensations are retried
(a flaky cancellation API should not leave a hotel booked) and must be safe to repeat.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from awsflow import RetryPolicy, WorkflowDefinition, activities, activity, execute, get_context
from awsflow.exceptions import ActivityTaskFailedError
from awsflow.testing import WorkflowEnvironment


class SoldOut(Exception):
    """Nothing left to reserve."""


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Travel:
    @activity("1.0")
    def reserve_flight(self, trip: str) -> str:
        return f"flight-{trip}"

    @activity("1.0")
    def reserve_hotel(self, trip: str) -> str:
        return f"hotel-{trip}"

    @activity("1.0")
    def reserve_car(self, trip: str) -> str:
        if trip.endswith("in-august"):
            raise SoldOut("no cars left in August")
        return f"car-{trip}"

    # The undo steps: retried until they succeed (within 10 attempts), and idempotent.
    @activity("1.0", retry_policy=RetryPolicy(initial_interval=2, maximum_attempts=10))
    def cancel_flight(self, reservation: str) -> str:
        if get_context().attempt == 1:
            raise ConnectionError("airline API unavailable")  # the retry policy takes care of it
        return f"canceled {reservation}"

    @activity("1.0", retry_policy=RetryPolicy(initial_interval=2, maximum_attempts=10))
    def cancel_hotel(self, reservation: str) -> str:
        return f"canceled {reservation}"


class BookTrip(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def book(self, trip: str) -> Any:
        compensations: list[Callable[[], Any]] = []
        try:
            flight = yield Travel.reserve_flight(trip)
            compensations.append(lambda: Travel.cancel_flight(flight))
            hotel = yield Travel.reserve_hotel(trip)
            compensations.append(lambda: Travel.cancel_hotel(hotel))
            car = yield Travel.reserve_car(trip)
            return f"booked {flight}, {hotel}, {car}"
        except ActivityTaskFailedError as error:
            undone = []
            for compensate in reversed(compensations):  # newest first
                undone.append((yield compensate()))
            return f"not booked ({error.cause}); {'; '.join(undone)}"


def main() -> None:
    with WorkflowEnvironment() as env:
        env.start_workers(BookTrip, Travel())
        for trip in ("rome-in-may", "rome-in-august"):
            handle = env.start(BookTrip.book, trip, workflow_id=f"trip-{trip}")
            print(f"{trip}: {handle.result()}")
            for event in env.history(handle):
                if event["eventType"] == "ActivityTaskScheduled":
                    attributes = event["activityTaskScheduledEventAttributes"]
                    print(f"  {attributes['activityType']['name']:21} id={attributes['activityId']}")


if __name__ == "__main__":
    main()
