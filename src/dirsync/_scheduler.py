"""
The scheduler: cycles over the inbox, as SPEC section 8 describes.

Each cycle takes, for every busy workspace, the events `select_batch`
chooses (the cap, the owner hold and S-REVOKE-FIRST), processes them in
the order they were queued, and then delivers the outbox.
A failing event is retried in later cycles and holds back its workspace
until it succeeds or, after `Policy.max_attempts`, is parked.
One workspace's failure never stops another's.

This is the only part of dirsync that logs: one line per workspace batch,
under the ``dirsync`` logger, with counts and a duration, never emails or
names at info level.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import attrs

from ._decide import decide
from ._decision import Decision
from ._events import DirectoryEvent
from ._policy import DEFAULT_POLICY, Policy
from ._schedule import HoldReason, select_batch
from ._simulate import Applied, WorkspaceStatus
from .ports import Clock, Inbox, Mailer, QueuedEvent, Store

log = logging.getLogger(__name__)


class Service:
    """
    Processes one event: the store loads the situation, `decide`
    decides, the store applies, in one unit of work.

    Idempotent: an event processed before is recorded as a duplicate
    and changes nothing.

    .. versionadded:: 0.1.0
    """

    def __init__(self, store: Store, policy: Policy = DEFAULT_POLICY) -> None:
        self.store = store
        self.policy = policy

    def process(self, event: DirectoryEvent) -> Decision:
        """
        Decide and apply *event*; see `dirsync.ports.Store.process`.
        """
        # A partial, not a lambda: one Python frame less per event.
        return self.store.process(
            event, functools.partial(decide, event, policy=self.policy)
        )


@attrs.frozen
class BatchReport:
    """
    What one workspace did in one cycle.

    Args:
        workspace: The workspace.
        held: Why it is held, or None.
        taken: Events the cycle took for it.
        applied: Events processed.
        failed: Events that failed and will be retried.
        parked: Events that failed for the last time and were parked.
        seconds: Time spent processing its events.

    .. versionadded:: 0.1.0
    """

    workspace: str
    held: HoldReason | None
    taken: int
    applied: int = 0
    failed: int = 0
    parked: int = 0
    seconds: float = 0.0


@attrs.frozen
class CycleReport:
    """
    What one cycle did.

    Args:
        cycle: Its number, from 1.
        applied: The decisions applied, in order.
        batches: One report per busy workspace.
        mailed: Invitations delivered.
        mail_failures: Deliveries that failed and will be retried.

    .. versionadded:: 0.1.0
    """

    cycle: int
    applied: tuple[Applied, ...]
    batches: tuple[BatchReport, ...]
    mailed: int
    mail_failures: int

    @property
    def consumed(self) -> int:
        """
        Events processed or parked: the cycle's progress.
        """
        return sum(b.applied + b.parked for b in self.batches)


class Scheduler:
    """
    Runs cycles over an inbox and a store.

    Args:
        store: Where the state lives.
        inbox: Where events wait.
        mailer: Delivers the outbox.
        policy: The policy in force.
        clock: Time for `run_forever`; the system clock by default.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        store: Store,
        inbox: Inbox,
        mailer: Mailer,
        policy: Policy = DEFAULT_POLICY,
        clock: Clock | None = None,
    ) -> None:
        self.store = store
        self.inbox = inbox
        self.mailer = mailer
        self.policy = policy
        self.clock: Clock = SystemClock() if clock is None else clock
        self.service = Service(store, policy)
        self.cycles = 0

    def run_cycle(self) -> CycleReport:
        """
        Run one cycle: take each busy workspace's batch, process the
        events in queue order, then deliver the outbox.
        """
        self.cycles += 1
        taken, reports = self._take()
        try:
            return self._run(taken, reports)
        finally:
            for name in reports:
                try:
                    self.inbox.release(name)
                except Exception:
                    # The claim expires on its own.
                    log.exception("dirsync.inbox_failed")

    def _run(
        self,
        taken: list[tuple[QueuedEvent, bool]],
        reports: dict[str, BatchReport],
    ) -> CycleReport:
        """
        Process what `_take` took, deliver the outbox, and report.
        """
        applied: list[Applied] = []
        stopped: set[str] = set()
        counts = {name: _Counts() for name in reports}
        for entry, expedited in taken:
            name = entry.event.workspace
            if name in stopped:
                continue
            count = counts[name]
            start = time.perf_counter()
            outcome = self._process(entry)
            count.seconds += time.perf_counter() - start
            if isinstance(outcome, Decision):
                count.applied += 1
                applied.append(
                    Applied(self.cycles, entry.event, outcome, expedited)
                )
            elif outcome == "parked":
                count.parked += 1
            else:
                # A failure holds back what is queued behind it.
                count.failed += 1
                stopped.add(name)

        mailed, mail_failures = self._deliver()
        batches = tuple(
            attrs.evolve(
                report,
                applied=counts[name].applied,
                failed=counts[name].failed,
                parked=counts[name].parked,
                seconds=counts[name].seconds,
            )
            for name, report in reports.items()
        )
        for batch in batches:
            log.info(
                "dirsync.batch cycle=%d workspace=%s held=%s taken=%d "
                "applied=%d failed=%d parked=%d seconds=%.6f",
                self.cycles,
                batch.workspace,
                batch.held.value if batch.held else "-",
                batch.taken,
                batch.applied,
                batch.failed,
                batch.parked,
                batch.seconds,
            )
        return CycleReport(
            self.cycles, tuple(applied), batches, mailed, mail_failures
        )

    def drain(
        self,
        max_cycles: int = 10_000,
        on_cycle: Callable[[CycleReport], None] = lambda report: None,
    ) -> list[CycleReport]:
        """
        Run cycles until one consumes nothing (what is left is held,
        parked, or failing), at most *max_cycles*, handing each cycle's
        report to *on_cycle* as soon as it ends.
        """
        reports = []
        for _ in range(max_cycles):
            report = self.run_cycle()
            on_cycle(report)
            reports.append(report)
            if not report.consumed:
                break
        return reports

    def run_forever(
        self,
        stop: Callable[[], bool] = lambda: False,
        on_cycle: Callable[[CycleReport], None] = lambda report: None,
    ) -> None:
        """
        Run a cycle every `Policy.interval` until *stop* returns True,
        handing each cycle's report to *on_cycle*.
        """
        interval = self.policy.interval.total_seconds()
        while not stop():
            on_cycle(self.run_cycle())
            if stop():
                break
            self.clock.sleep(interval)

    def status(self, workspaces: Sequence[str]) -> list[WorkspaceStatus]:
        """
        Where each of *workspaces* stands: held or not, queued, parked.
        """
        parked: dict[str, int] = {}
        for entry in self.inbox.parked():
            name = entry.event.workspace
            parked[name] = parked.get(name, 0) + 1
        return [
            WorkspaceStatus(
                name,
                self.store.hold_reason(name),
                len(self.inbox.queued(name)),
                parked.get(name, 0),
            )
            for name in workspaces
        ]

    def _take(
        self,
    ) -> tuple[list[tuple[QueuedEvent, bool]], dict[str, BatchReport]]:
        """
        Each busy workspace's batch for this cycle, merged in queue order.
        """
        taken: list[tuple[QueuedEvent, bool]] = []
        reports: dict[str, BatchReport] = {}
        try:
            busy = self.inbox.busy()
        except Exception:
            # Nothing can be taken this cycle; the outbox still goes out.
            log.exception("dirsync.inbox_failed")
            return taken, reports
        for name in busy:
            try:
                if not self.inbox.claim(name):
                    continue  # another worker drains it
            except Exception:
                log.exception("dirsync.inbox_failed")
                continue
            reports[name] = BatchReport(name, None, 0)
            try:
                held = self.store.hold_reason(name)
                queue = self._candidates(name, held is not None)
            except Exception:
                log.exception("dirsync.batch_failed workspace=%s", name)
                continue
            batch = select_batch(
                [entry.event for entry in queue], self.policy, held is not None
            )
            taken.extend(
                (queue[i], i in batch.expedited) for i in batch.positions
            )
            reports[name] = BatchReport(name, held, len(batch.positions))
        taken.sort(key=lambda item: item[0].position)
        return taken, reports

    def _candidates(self, name: str, held: bool) -> list[QueuedEvent]:
        """
        The part of *name*'s queue that `select_batch` may take from: the
        head up to the cap, then what S-REVOKE-FIRST could expedite.
        Never the whole queue: a cycle's cost follows what it takes.
        """
        policy = self.policy
        if held:
            return (
                list(self.inbox.revoking(name, -1))
                if policy.revoke_first
                else []
            )
        head = list(self.inbox.head(name, policy.batch_limit))
        if policy.revoke_first and len(head) == policy.batch_limit:
            head.extend(self.inbox.revoking(name, head[-1].position))
        return head

    def _process(self, entry: QueuedEvent) -> Decision | str:
        """
        Process one queued event: its decision, or "parked" or "failed".
        """
        try:
            decision = self.service.process(entry.event)
        except Exception as error:
            park = entry.attempts + 1 >= self.policy.max_attempts
            try:
                self.inbox.failed(entry.position, _words(error), park)
            except Exception:
                log.exception("dirsync.inbox_failed")
                return "failed"
            return "parked" if park else "failed"
        try:
            self.inbox.done(entry.position)
        except Exception:
            # Applied, but still queued: the next cycle finds it a
            # duplicate and removes it.
            log.exception("dirsync.inbox_failed")
            return "failed"
        return decision

    def _deliver(self) -> tuple[int, int]:
        """
        Deliver the outbox; return (delivered, failed).
        """
        try:
            pending = self.store.outbox(limit=10_000)
        except Exception:
            log.exception("dirsync.outbox_failed")
            return 0, 1
        delivered: list[str] = []
        failed = 0
        for mail in pending:
            try:
                self.mailer.deliver(mail)
            except Exception:
                # Retried next cycle, under the same idempotency key.
                failed += 1
                continue
            delivered.append(mail.key)
        if not delivered:
            return 0, failed
        try:
            # One mark for the lot: marking each on its own would cost a
            # commit per invitation.
            self.store.delivered(delivered)
        except Exception:
            # Delivered again next cycle, under the same keys.
            log.exception("dirsync.outbox_failed")
            return 0, failed + len(delivered)
        return len(delivered), failed


@attrs.define
class _Counts:
    applied: int = 0
    failed: int = 0
    parked: int = 0
    seconds: float = 0.0


def _words(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


class SystemClock:
    """
    The real clock.

    .. versionadded:: 0.1.0
    """

    def now(self) -> datetime:
        """
        The current time, in UTC.
        """
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        """
        Wait *seconds*.
        """
        time.sleep(seconds)
