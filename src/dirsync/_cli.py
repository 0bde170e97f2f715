"""
The ``dirsync`` command line: replaying scenarios, and operating the
scheduler on a SQLite file.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from ._demo import run as run_demo
from ._errors import InvalidScenario
from ._events import DirectoryEvent
from ._policy import EmailPolicy, Policy
from ._report import render, tell
from ._scenario import Scenario, load_scenario, read_event
from ._scheduler import CycleReport, Scheduler
from ._shellrun import feed, replay
from ._simulate import Outcome
from .ports import OutgoingMail
from .stores.sqlite import SQLiteStore

DEFAULT_DB = "dirsync.db"


class Invalid(Exception):
    """
    Input the command refuses: exit status 2, nothing changed.
    """


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dirsync",
        description="Directory sync for multi-tenant products.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    replay = commands.add_parser(
        "replay",
        help="run scenario files through the rules and print the outcome",
        description=(
            "Replay scenario files (SPEC section 10) through the scheduler "
            "and print each outcome: JSON by default, or a story to read."
        ),
    )
    replay.add_argument(
        "scenarios",
        nargs="+",
        metavar="SCENARIO.json",
        help="a scenario file, or - for standard input",
    )
    replay.add_argument(
        "--format",
        choices=("json", "text"),
        default="json",
        help="json (SPEC's output form) or text (default: json)",
    )
    replay.add_argument(
        "--store",
        choices=("memory", "sqlite"),
        default="memory",
        help="where the replay keeps its state (default: memory)",
    )
    replay.add_argument(
        "--db",
        type=Path,
        help="with --store sqlite: a new database file to replay into",
    )

    def operator(name: str, text: str) -> argparse.ArgumentParser:
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument(
            "--db",
            type=Path,
            default=Path(DEFAULT_DB),
            help=f"the SQLite database (default: {DEFAULT_DB})",
        )
        return command

    operator("init", "create the database, or bring its schema up to date")
    load = operator(
        "load",
        "add the workspaces, accounts and invitations of a scenario file, "
        "and queue its events",
    )
    load.add_argument("scenario", metavar="SCENARIO.json")
    enqueue = operator(
        "enqueue", "queue directory events, one JSON object a line"
    )
    enqueue.add_argument("events", metavar="EVENTS.jsonl")
    run = operator("run", "run scheduler cycles")
    how = run.add_mutually_exclusive_group()
    how.add_argument(
        "--once", action="store_true", help="run one cycle (the default)"
    )
    how.add_argument(
        "--drain",
        action="store_true",
        help="run cycles until one consumes nothing",
    )
    how.add_argument(
        "--forever",
        action="store_true",
        help="run a cycle every interval until interrupted",
    )
    run.add_argument(
        "--worker",
        help=(
            "this worker's name: give each worker that runs at the same "
            "time its own, and a restarted worker its old one to take its "
            "workspaces back at once (default: a new name)"
        ),
    )
    run.add_argument(
        "--commit-every",
        type=int,
        default=1,
        metavar="N",
        help=(
            "let up to N events share one commit (group commit): faster "
            "on a slow disk; a crash makes the open group's events run "
            "again, never twice (default: 1, a commit per event)"
        ),
    )
    run.add_argument("--batch-limit", type=int, default=100)
    run.add_argument("--max-attempts", type=int, default=5)
    run.add_argument("--interval", type=float, default=300.0)
    run.add_argument("--no-revoke-first", action="store_true")
    run.add_argument(
        "--email-changes",
        choices=[p.value for p in EmailPolicy],
        default=EmailPolicy.ALWAYS.value,
    )
    operator("status", "show each workspace: active or held, queued, parked")
    operator("parked", "list the parked events and their errors")
    retry = operator("retry-parked", "queue parked events again")
    retry.add_argument(
        "positions",
        nargs="*",
        type=int,
        metavar="POSITION",
        help="the events to retry (default: all)",
    )
    operator("export", "print the state in SPEC's output form")
    demo = commands.add_parser(
        "demo",
        help="tell an end-to-end story on a fresh SQLite file",
        description="Tell an end-to-end story on a fresh SQLite file.",
    )
    demo.add_argument(
        "--db",
        type=Path,
        help="the new database file (default: one in a temporary folder)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the command line; return the exit status.

    0 on success, 2 on invalid input (the reason goes to standard
    error, and nothing is changed).
    """
    args = _parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except Invalid as e:
        print(f"dirsync: {e}", file=sys.stderr)
        return 2


def _replay(args: argparse.Namespace) -> int:
    if args.store == "memory" and args.db is not None:
        raise Invalid("--db goes with --store sqlite")
    if args.store == "sqlite":
        if args.db is None:
            raise Invalid("--store sqlite needs --db PATH")
        if len(args.scenarios) != 1:
            raise Invalid("--store sqlite replays one scenario at a time")
    outputs: list[str] = []
    # Read and check every file first: nothing is printed for a run in
    # which any input is invalid.
    for name in args.scenarios:
        scenario = _scenario(name)
        try:
            outcome = replay(scenario, args.db)
        except ValueError as e:
            raise Invalid(f"{args.db}: {e}") from None
        outputs.append(_show(outcome, args.format, name))
    _write("\n".join(outputs) + "\n")
    return 0


def _scenario(name: str) -> Scenario:
    # Bytes, not text: JSON is UTF-8 whatever the locale says, and
    # load_scenario decodes it (and refuses what does not decode).
    try:
        data = (
            sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        )
    except OSError as e:
        raise Invalid(f"cannot read {name}: {e}") from None
    try:
        return load_scenario(data)
    except InvalidScenario as e:
        raise Invalid(f"{name}: {e}") from None


def _show(outcome: Outcome, form: str, title: str) -> str:
    if form == "json":
        return json.dumps(render(outcome), indent=2)
    return tell(outcome, title=title)


def _open(args: argparse.Namespace, create: bool = False) -> SQLiteStore:
    path: Path = args.db
    if not create and not path.exists():
        raise Invalid(f"{path} does not exist; run 'dirsync init' first")
    try:
        return SQLiteStore(
            path,
            worker=getattr(args, "worker", None),
            commit_every=getattr(args, "commit_every", 1),
        )
    except ValueError as e:
        raise Invalid(str(e)) from None


def _init(args: argparse.Namespace) -> int:
    store = _open(args, create=True)
    print(f"{args.db}: ready, schema version {store.schema_version}")
    store.close()
    return 0


def _load(args: argparse.Namespace) -> int:
    scenario = _scenario(args.scenario)
    store = _open(args)
    try:
        store.load(scenario.state)
    except ValueError as e:
        raise Invalid(f"{args.scenario}: {e}") from None
    replies = feed(scenario.inputs, store, store, scenario.policy)
    state = scenario.state
    print(
        f"loaded {len(state.workspaces)} workspaces, "
        f"{len(state.accounts)} accounts, {len(state.invitations)} "
        f"invitations; queued {len(scenario.events)} events"
        + (f" and sent {len(replies)} SCIM requests" if replies else "")
    )
    for reply in replies:
        if reply.detail is not None:
            status = f"{reply.status} {reply.detail}"
            print(f"  SCIM request {reply.request}: {status}")
    store.close()
    return 0


def _enqueue(args: argparse.Namespace) -> int:
    store = _open(args)
    workspaces = set(store.workspaces())
    events: list[DirectoryEvent] = []
    try:
        lines = Path(args.events).read_bytes().decode().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise Invalid(f"cannot read {args.events}: {e}") from None
    # Check every line before queuing any.
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{args.events} line {number}"
        try:
            document = json.loads(line, parse_constant=_no_constant)
        except ValueError as e:
            raise Invalid(f"{where}: not valid JSON: {e}") from None
        try:
            events.append(read_event(document, workspaces))
        except InvalidScenario as e:
            raise Invalid(f"{where}: {e}") from None
    store.append(events)
    print(f"queued {len(events)} events")
    store.close()
    return 0


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


class PrintingMailer:
    """
    The command line's mailer: it shows each invitation it is given.

    Without a mail service there is nothing else to do; a host plugs its
    own `dirsync.ports.Mailer` into the `dirsync.Scheduler` instead.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []

    def deliver(self, mail: OutgoingMail) -> None:
        """
        Note *mail*, to be shown after the cycle's decisions.
        """
        self.lines.append(
            f"  mail: {mail.kind} to {mail.to} for {mail.workspace}\n"
        )


def _run(args: argparse.Namespace) -> int:
    try:
        policy = Policy(
            interval=timedelta(seconds=args.interval),
            batch_limit=args.batch_limit,
            max_attempts=args.max_attempts,
            revoke_first=not args.no_revoke_first,
            email_changes=EmailPolicy(args.email_changes),
        )
    except ValueError as e:
        raise Invalid(str(e)) from None
    store = _open(args)
    mailer = PrintingMailer()
    scheduler = Scheduler(store, store, mailer, policy)
    progress = Progress(sys.stderr)

    def show(report: CycleReport) -> None:
        _summary(report, mailer.lines)
        mailer.lines.clear()
        progress.update(report)

    try:
        if args.forever:
            try:
                scheduler.run_forever(on_cycle=show)
            except KeyboardInterrupt:
                print("stopped")
        elif args.drain:
            scheduler.drain(on_cycle=show)
        else:
            show(scheduler.run_cycle())
    finally:
        progress.close()
        store.close()
    return 0


class Progress:
    """
    A one-line running count of what the cycles did, rewritten in place
    on a terminal, and nothing at all elsewhere (a pipe or a file gets
    only the decisions).
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown = stream.isatty()
        self.cycles = self.applied = self.failed = self.parked = 0
        self.mailed = 0

    def update(self, report: CycleReport) -> None:
        """
        Add *report* to the counts and show them.
        """
        self.cycles += 1
        self.applied += len(report.applied)
        self.failed += sum(b.failed for b in report.batches)
        self.parked += sum(b.parked for b in report.batches)
        self.mailed += report.mailed
        if self.shown:
            self.stream.write(
                f"\r\x1b[Kdirsync: cycle {self.cycles:,}; so far "
                f"{self.applied:,} applied, {self.failed:,} failed, "
                f"{self.parked:,} parked, {self.mailed:,} mailed"
            )
            self.stream.flush()

    def close(self) -> None:
        """
        End the line, if one was shown.
        """
        if self.shown and self.cycles:
            self.stream.write("\n")
            self.stream.flush()


def _summary(report: CycleReport, mail: Sequence[str]) -> None:
    for applied in report.applied:
        decision = applied.decision
        _write(
            f"  [{decision.workspace}] {decision.event_id}: "
            f"{decision.reason}\n"
        )
    _write("".join(mail))
    failed = sum(b.failed for b in report.batches)
    parked = sum(b.parked for b in report.batches)
    held = [b.workspace for b in report.batches if b.held is not None]
    _write(
        f"cycle {report.cycle}: {len(report.applied)} applied, "
        f"{failed} failed, {parked} parked, {report.mailed} mailed"
        + (f"; held: {', '.join(held)}" if held else "")
        + "\n"
    )


def _status(args: argparse.Namespace) -> int:
    store = _open(args)
    scheduler = Scheduler(store, store, PrintingMailer())
    for status in scheduler.status(store.workspaces()):
        state = (
            "active"
            if status.held is None
            else f"held: {status.held.value.replace('_', ' ')}"
        )
        _write(
            f"{status.id}: {state}; {status.queued} queued, "
            f"{status.parked} parked\n"
        )
    store.close()
    return 0


def _parked(args: argparse.Namespace) -> int:
    store = _open(args)
    entries = store.parked()
    for entry in entries:
        _write(
            f"{entry.position}: [{entry.event.workspace}] event "
            f"{entry.event.id} after {entry.attempts} attempts: "
            f"{entry.error}\n"
        )
    if not entries:
        print("no parked events")
    store.close()
    return 0


def _retry_parked(args: argparse.Namespace) -> int:
    store = _open(args)
    positions = args.positions or [entry.position for entry in store.parked()]
    print(f"queued {store.unpark(positions)} parked events again")
    store.close()
    return 0


def _export(args: argparse.Namespace) -> int:
    store = _open(args)
    scheduler = Scheduler(store, store, PrintingMailer())
    outcome = Outcome(
        (), store.export(), tuple(scheduler.status(store.workspaces())), 0
    )
    document = render(outcome)
    del document["decisions"], document["cycles"]
    _write(json.dumps(document, indent=2) + "\n")
    store.close()
    return 0


def _demo(args: argparse.Namespace) -> int:
    def say(line: str) -> None:
        _write(line + "\n")

    if args.db is not None:
        if args.db.exists():
            raise Invalid(f"{args.db} exists; the demo needs a new file")
        run_demo(args.db, say)
        return 0
    with tempfile.TemporaryDirectory() as folder:
        run_demo(Path(folder) / "demo.db", say)
    return 0


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "demo": _demo,
    "replay": _replay,
    "init": _init,
    "load": _load,
    "enqueue": _enqueue,
    "run": _run,
    "status": _status,
    "parked": _parked,
    "retry-parked": _retry_parked,
    "export": _export,
}


def _write(text: str) -> None:
    """
    Write *text* to standard output as UTF-8, whatever the locale: names
    and internationalised domains must not crash an ASCII terminal.
    """
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:
        sys.stdout.write(text)
    else:
        sys.stdout.flush()
        stream.write(text.encode())
        stream.flush()
