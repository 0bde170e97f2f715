"""
Scheduling in memory: the scheduler cycles of SPEC section 8, folded
over a `State`.

`simulate` is what ``dirsync replay`` runs, and it is the executable
model that the stores and the scheduler are tested against.
It does no I/O and reads no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from ._decision import Decision
from ._events import DirectoryEvent
from ._policy import DEFAULT_POLICY, Policy
from ._schedule import HoldReason, select_batch
from ._state import State


# Not slotted: the scheduler builds one for every event it applies, and
# attrs builds a frozen instance with a __dict__ faster.
@attrs.frozen(slots=False)
class Applied:
    """
    A decision and the scheduler cycle that applied it.

    Args:
        cycle: The cycle, counted from 1.
        event: The event.
        decision: The decision.
        expedited: Whether S-REVOKE-FIRST brought the event forward:
            it was past the workspace's cap, or the workspace was held.

    .. versionadded:: 0.1.0
    """

    cycle: int
    event: DirectoryEvent
    decision: Decision
    expedited: bool = False

    @property
    def rules(self) -> tuple[str, ...]:
        """
        The decision's rules, and S-REVOKE-FIRST when it applied.
        """
        if self.expedited:
            return (*self.decision.rules, "S-REVOKE-FIRST")
        return self.decision.rules


@attrs.frozen
class WorkspaceStatus:
    """
    Where a workspace's processing stands.

    Args:
        id: The workspace.
        held: Why it is held, or None when it is active.
        queued: Events waiting.
        parked: Events set aside after failing too often.

    .. versionadded:: 0.1.0
    """

    id: str
    held: HoldReason | None
    queued: int
    parked: int = 0


@attrs.frozen
class ScimReply:
    """
    How the SCIM endpoint answered one request of a replay.

    Args:
        request: The scenario's id of the request.
        workspace: The workspace it was made for.
        status: The HTTP status.
        scim_type: The error's ``scimType``, if it has one.
        detail: The error's detail, for an error.

    .. versionadded:: 0.1.0
    """

    request: str
    workspace: str
    status: int
    scim_type: str | None = None
    detail: str | None = None


@attrs.frozen
class Outcome:
    """
    The result of `simulate`.

    Args:
        applied: Every decision, in the order it was applied.
        state: The final state.
        workspaces: Each workspace's status at the end.
        cycles: How many cycles ran.
        remaining: The events still queued, in queue order.
        responses: The SCIM endpoint's answers, when the replay sent it
            requests.

    .. versionadded:: 0.1.0
    """

    applied: tuple[Applied, ...]
    state: State
    workspaces: tuple[WorkspaceStatus, ...]
    cycles: int
    remaining: tuple[DirectoryEvent, ...] = ()
    responses: tuple[ScimReply, ...] = ()


def simulate(
    state: State,
    events: Iterable[DirectoryEvent],
    policy: Policy = DEFAULT_POLICY,
    max_cycles: int | None = None,
) -> Outcome:
    """
    Queue *events* and run scheduler cycles until no queued event can be
    consumed, or *max_cycles* have run.

    Each cycle takes, per workspace, the events `select_batch` chooses
    (the cap, the owner hold and S-REVOKE-FIRST), and applies all of them
    in the order they were queued.
    Events of a held workspace that S-REVOKE-FIRST does not expedite stay
    queued, and are reported in the workspace's status.

    *state* itself is not changed.

    Raises:
        ValueError: An event names an unknown workspace.

    .. versionadded:: 0.1.0
    """
    state = state.copy()
    queues: dict[str, list[tuple[int, DirectoryEvent]]] = {
        name: [] for name in state.workspaces
    }
    for position, event in enumerate(events):
        queue = queues.get(event.workspace)
        if queue is None:
            raise ValueError(
                f"event {event.id!r} names unknown workspace "
                f"{event.workspace!r}"
            )
        queue.append((position, event))

    applied: list[Applied] = []
    cycles = 0
    while max_cycles is None or cycles < max_cycles:
        chosen = _choose(state, queues, policy)
        if not chosen:
            break
        cycles += 1
        for _, event, expedited in sorted(chosen, key=lambda c: c[0]):
            decision = state.process(event, policy)
            applied.append(Applied(cycles, event, decision, expedited))

    statuses = tuple(
        WorkspaceStatus(name, state.hold_reason(name), len(queue))
        for name, queue in queues.items()
    )
    remaining = tuple(
        event
        for _, event in sorted(
            (item for queue in queues.values() for item in queue),
            key=lambda item: item[0],
        )
    )
    return Outcome(tuple(applied), state, statuses, cycles, remaining)


def _choose(
    state: State,
    queues: dict[str, list[tuple[int, DirectoryEvent]]],
    policy: Policy,
) -> list[tuple[int, DirectoryEvent, bool]]:
    """
    Take the next cycle's events off the queues.
    """
    chosen: list[tuple[int, DirectoryEvent, bool]] = []
    for name, queue in queues.items():
        if not queue:
            continue
        held = state.hold_reason(name) is not None
        batch = select_batch(_events(queue), policy, held)
        taken = set(batch.positions)
        chosen.extend(
            (queue[i][0], queue[i][1], i in batch.expedited)
            for i in batch.positions
        )
        queue[:] = [item for i, item in enumerate(queue) if i not in taken]
    return chosen


def _events(
    queue: list[tuple[int, DirectoryEvent]],
) -> Sequence[DirectoryEvent]:
    return [event for _, event in queue]
