"""
How fast the shell runs: the scheduler, the service and the stores.

Prints, each the median of several runs on one core:

- end-to-end events per second through the scheduler, on the memory
  store and on SQLite (a durable commit per event, and group commits of
  a cycle's batch), and how the memory figure compares with `decide`
  alone on the same events;
- how many empty durable commits the disk allows per second, the
  ceiling of a commit per event;
- the cost of a cycle with 100,000 idle workspaces and one busy one,
  against the busy one alone;
- one cycle of 1,000 workspaces with 100 events each on SQLite, with
  group commits: its time and the process's peak memory (measured in a
  child process).

Run it with ``make bench`` or ``python benchmarks/bench_shell.py``.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from workload import events, populate, product

from dirsync import (
    Decision,
    DirectoryEvent,
    Scheduler,
    Situation,
    State,
    decide,
)
from dirsync.stores.memory import MemoryInbox, MemoryStore
from dirsync.stores.sqlite import SQLiteStore
from dirsync.testing import RecordingMailer

#: The clock of the runs that only compute (memory store, `decide`, the
#: idle cycle): this process's CPU time, since on a shared virtual
#: machine the time other guests take swamps wall-clock figures.  Runs on
#: SQLite wait on the disk, so they are timed on the wall clock.
cpu = time.process_time

#: The group size of the grouped SQLite runs: a cycle's batch.
GROUP = 100


def _median(runs: int, once: Callable[[], float]) -> float:
    return statistics.median(once() for _ in range(runs))


def _paired(
    runs: int, first: Callable[[], float], second: Callable[[], float]
) -> tuple[float, float, float]:
    """
    Time *first* and *second* in turn, *runs* times: the median of each,
    and the median of the ratios second / first of each pair.  A ratio
    of two runs made a moment apart shrugs off the machine's swings in
    speed far better than a ratio of two medians taken minutes apart.
    """
    pairs = [(first(), second()) for _ in range(runs)]
    return (
        statistics.median(a for a, _ in pairs),
        statistics.median(b for _, b in pairs),
        statistics.median(b / a for a, b in pairs),
    )


def _memory_run(count: int) -> Callable[[], float]:
    batch = events(count)

    def once() -> float:
        store = MemoryStore(product())
        inbox = MemoryInbox()
        inbox.append(batch)
        scheduler = Scheduler(store, inbox, RecordingMailer())
        # The harness's heap (the product, and every event queued at
        # once, which a real inbox keeps in its database) is frozen, as
        # in `_decide_run`: a full collection of it falls in the timed
        # run or not by chance, and costs what the host process holds,
        # not what the shell does.  What the run allocates is collected
        # as usual.
        gc.collect()
        gc.freeze()
        start = cpu()
        # Back to back, as `run_forever` runs them: each report is read
        # and dropped, not kept as `drain` keeps them.
        while scheduler.run_cycle().consumed:
            pass
        elapsed = cpu() - start
        gc.unfreeze()
        return elapsed

    return once


class _Witness(MemoryStore):
    """
    A memory store that keeps every situation it loads, with its event.
    """

    def __init__(self, state: State) -> None:
        super().__init__(state)
        self.seen: list[tuple[DirectoryEvent, Situation]] = []

    def process(
        self, event: DirectoryEvent, decide: Callable[[Situation], Decision]
    ) -> Decision:
        def witnessed(situation: Situation) -> Decision:
            self.seen.append((event, situation))
            return decide(situation)

        return super().process(event, witnessed)


def _decide_run(count: int) -> Callable[[], float]:
    # The very (event, situation) pairs the shell decides, in its order:
    # the state changes as events apply, and so do the decisions.
    store = _Witness(product())
    inbox = MemoryInbox()
    inbox.append(events(count))
    Scheduler(store, inbox, RecordingMailer()).drain()
    pairs = store.seen

    def once() -> float:
        gc.collect()
        gc.freeze()
        start = cpu()
        for event, situation in pairs:
            decide(event, situation)
        elapsed = cpu() - start
        gc.unfreeze()
        return elapsed

    return once


def _sqlite_run(
    count: int, folder: Path, commit_every: int = 1
) -> Callable[[], float]:
    batch = events(count)
    seed = product()
    runs = iter(range(1_000))

    def once() -> float:
        store = SQLiteStore(
            folder / f"e2e-{commit_every}-{next(runs)}.db",
            durable=True,
            commit_every=commit_every,
        )
        store.load(seed)
        store.append(batch)
        scheduler = Scheduler(store, store, RecordingMailer())
        start = time.perf_counter()
        scheduler.drain()
        elapsed = time.perf_counter() - start
        store.close()
        return elapsed

    return once


def _commit_run(count: int, folder: Path) -> Callable[[], float]:
    """
    *count* durable commits of one tiny row each, on a file set up as
    `SQLiteStore` sets up its own: the most commits per second the disk
    allows, before any work is done.
    """
    runs = iter(range(1_000))

    def once() -> float:
        db = sqlite3.connect(
            folder / f"commits-{next(runs)}.db", isolation_level=None
        )
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE t (n INTEGER)")
        start = time.perf_counter()
        for n in range(count):
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO t VALUES (?)", (n,))
            db.execute("COMMIT")
        elapsed = time.perf_counter() - start
        db.close()
        return elapsed

    return once


def _idle_run(idle: int) -> Callable[[], float]:
    batch = events(100)
    state = product(members=200)
    for n in range(idle):
        populate(state, f"idle{n}", 0)

    def once() -> float:
        store = MemoryStore(state.copy())
        inbox = MemoryInbox()
        inbox.append(batch)
        scheduler = Scheduler(store, inbox, RecordingMailer())
        # A collection of the 100,000-workspace heap may fall in the
        # timed cycle or not, which would swamp the measure: freeze what
        # exists so that only the cycle's own work is timed.
        gc.collect()
        gc.freeze()
        start = cpu()
        scheduler.run_cycle()
        elapsed = cpu() - start
        gc.unfreeze()
        return elapsed

    return once


def build_big(path: Path, workspaces: int, per_workspace: int) -> None:
    """
    A SQLite file with many workspaces, each with 20 members and
    *per_workspace* queued events.
    """
    state = State()
    batch = []
    for n in range(workspaces):
        name = f"w{n}"
        populate(state, name, 20)
        batch.extend(events(per_workspace, workspace=name, members=20, seed=n))
    store = SQLiteStore(path, durable=True)
    store.load(state)
    store.append(batch)
    store.close()


def big_cycle(path: Path) -> None:
    """
    One cycle on the file `build_big` made; prints how many events it
    applied, its time, and this process's peak resident memory.
    """
    store = SQLiteStore(path, durable=True, commit_every=GROUP)
    scheduler = Scheduler(store, store, RecordingMailer())
    start = time.perf_counter()
    report = scheduler.run_cycle()
    elapsed = time.perf_counter() - start
    store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(report.applied)} {elapsed:.3f} {peak:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--sqlite-events", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--idle", type=int, default=100_000)
    parser.add_argument("--build-big", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--big", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_big:
        build_big(args.build_big, 1_000, 100)
        return
    if args.big:
        big_cycle(args.big)
        return

    n = args.events
    alone, memory, ratio = _paired(args.runs, _decide_run(n), _memory_run(n))
    print(f"shell: {n:,} events of the realistic mix, median of {args.runs}")
    print(
        f"  memory store   {n / memory:>10,.0f} events/s  (target >= 50,000/s)"
    )
    print(
        f"  decide alone   {n / alone:>10,.0f} decisions/s"
        f"  shell / decide = {ratio:.1f}x (target <= 4x)"
    )
    with tempfile.TemporaryDirectory() as folder:
        m = args.sqlite_events
        sqlite = _median(args.runs, _sqlite_run(m, Path(folder)))
        grouped = _median(args.runs, _sqlite_run(m, Path(folder), GROUP))
        commits = _median(args.runs, _commit_run(m, Path(folder)))
    print(
        f"  sqlite store   {m / sqlite:>10,.0f} events/s"
        f"  (durable commit per event; target >= 5,000/s)"
    )
    print(
        f"  sqlite store   {m / grouped:>10,.0f} events/s"
        f"  (durable commits of up to {GROUP} events each)"
    )
    print(
        f"  empty commits  {m / commits:>10,.0f} commits/s"
        f"  (the disk's ceiling for a durable commit per event)"
    )

    busy_alone, with_idle, idle_ratio = _paired(
        4 * args.runs, _idle_run(0), _idle_run(args.idle)
    )
    print(
        f"cycle: one busy workspace {busy_alone * 1e3:.2f} ms; with "
        f"{args.idle:,} idle ones {with_idle * 1e3:.2f} ms; "
        f"ratio {idle_ratio:.2f} (target <= 1.2)"
    )

    # Built in one process and run in another, so that the peak memory
    # is the cycle's own.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.db"
        subprocess.run(
            [sys.executable, __file__, "--build-big", str(path)], check=True
        )
        done = subprocess.run(
            [sys.executable, __file__, "--big", str(path)],
            check=True,
            capture_output=True,
            text=True,
        )
    applied, seconds, peak = done.stdout.split()
    print(
        f"big cycle: 1,000 workspaces x 100 events on SQLite, commits of "
        f"up to {GROUP} events: {applied} "
        f"applied in {float(seconds):.1f} s (target <= 30 s), peak "
        f"memory {float(peak):.0f} MB (target <= 300 MB)"
    )


if __name__ == "__main__":
    main()
