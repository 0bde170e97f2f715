"""
The operator command line, on a SQLite file.
"""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from dirsync._cli import main
from tests.rule_cases import WORLD, created, deleted, updated

EXAMPLES = Path(__file__).parent.parent.parent / "examples" / "scenarios"


def dirsync(
    capsys: pytest.CaptureFixture[str], *args: str | Path
) -> tuple[int, str, str]:
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "world.json"
    path.write_text(
        json.dumps(
            {
                **WORLD,
                "events": [
                    created("e1", "d-nina", "nina@acme.com"),
                    deleted("e2", "d-mia"),
                ],
            }
        )
    )
    return path


def test_an_operator_session(
    tmp_path: Path, scenario: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """
    init, load, status, run, enqueue, run --drain and export work
    together on one file.
    """
    db = tmp_path / "d.db"

    assert dirsync(capsys, "init", "--db", db)[0] == 0
    assert dirsync(capsys, "load", scenario, "--db", db)[1] == (
        "loaded 2 workspaces, 13 accounts, 2 invitations; queued 2 events\n"
    )
    status = dirsync(capsys, "status", "--db", db)[1]
    assert "acme: active; 2 queued, 0 parked" in status
    run = dirsync(capsys, "run", "--once", "--db", db)[1]
    events = tmp_path / "more.jsonl"
    events.write_text(
        json.dumps(updated("e3", "d-pat", "pat@acme.com")) + "\n\n"
    )
    enqueued = dirsync(capsys, "enqueue", events, "--db", db)[1]
    drained = dirsync(capsys, "run", "--drain", "--db", db)[1]
    exported = json.loads(dirsync(capsys, "export", "--db", db)[1])

    assert "P-NEW" in run
    assert "D-MEMBER" in run
    assert "mail: invitation to nina@acme.com for acme" in run
    assert "cycle 1: 2 applied, 0 failed, 0 parked, 1 mailed" in run
    assert enqueued == "queued 1 events\n"
    assert "U-EMAIL" in drained
    accounts = {a["email"]: a for a in exported["accounts"]}
    assert accounts["mia@acme.com"]["status"] == "deactivated"
    assert "pat@acme.com" in accounts
    assert set(exported) == {
        "accounts",
        "invitations",
        "mail",
        "escalations",
        "workspaces",
    }


def test_parked_events_can_be_retried(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """
    A parked event is listed with its error, and retry-parked queues it
    again.
    """
    from dirsync import read_scenario
    from dirsync.stores.sqlite import SQLiteStore

    db = tmp_path / "d.db"
    store = SQLiteStore(db)
    store.load(read_scenario(WORLD).state)
    store.append(
        read_scenario({**WORLD, "events": [deleted("e1", "d-mia")]}).events
    )
    (entry,) = store.queued("acme")
    store.failed(entry.position, "RuntimeError: disk on fire", park=True)
    store.close()

    listed = dirsync(capsys, "parked", "--db", db)[1]
    retried = dirsync(capsys, "retry-parked", "--db", db)[1]
    after = dirsync(capsys, "parked", "--db", db)[1]
    status = dirsync(capsys, "status", "--db", db)[1]

    assert "event e1 after 1 attempts: RuntimeError: disk on fire" in listed
    assert retried == "queued 1 parked events again\n"
    assert after == "no parked events\n"
    assert "acme: active; 1 queued, 0 parked" in status


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status"], "does not exist; run 'dirsync init' first"),
        (["load", "missing.json"], "cannot read missing.json"),
        (["enqueue", "missing.jsonl"], "cannot read missing.jsonl"),
        (["run", "--batch-limit", "0"], "batch_limit must be at least 1"),
    ],
)
def test_bad_invocations_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    """
    A missing database or file, or a bad limit, is a clear error.
    """
    monkeypatch.chdir(tmp_path)
    if args[0] != "status":
        dirsync(capsys, "init")

    status, _, err = dirsync(capsys, *args)

    assert status == 2
    assert message in err


def test_bad_files_change_nothing(
    tmp_path: Path, scenario: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """
    An invalid event line, or a scenario that clashes with what is
    loaded, exits 2 and writes nothing.
    """
    db = tmp_path / "d.db"
    dirsync(capsys, "init", "--db", db)
    dirsync(capsys, "load", scenario, "--db", db)
    before = dirsync(capsys, "export", "--db", db)[1]
    events = tmp_path / "bad.jsonl"
    events.write_text(
        json.dumps(created("e9", "d-x", "x@acme.com"))
        + "\n"
        + json.dumps(created("e10", "d-y", "not an email"))
        + "\n"
    )

    bad_line = dirsync(capsys, "enqueue", events, "--db", db)
    clash = dirsync(capsys, "load", scenario, "--db", db)
    after = dirsync(capsys, "export", "--db", db)[1]
    status = dirsync(capsys, "status", "--db", db)[1]

    assert bad_line[0] == 2
    assert "bad.jsonl line 2: $.user.email" in bad_line[2]
    assert clash[0] == 2
    assert "cannot load" in clash[2]
    assert after == before
    assert "acme: active; 2 queued" in status


@pytest.mark.parametrize(
    "name", sorted(p.name for p in EXAMPLES.glob("*.json"))
)
def test_replay_on_sqlite_matches_memory(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """
    Replaying through the SQLite store prints what the memory store does.
    """
    memory = dirsync(capsys, "replay", EXAMPLES / name)
    sqlite = dirsync(
        capsys,
        "replay",
        "--store",
        "sqlite",
        "--db",
        tmp_path / "r.db",
        EXAMPLES / name,
    )

    assert memory[0] == sqlite[0] == 0
    assert json.loads(memory[1]) == json.loads(sqlite[1])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--db", "x.db"], "--db goes with --store sqlite"),
        (["--store", "sqlite"], "--store sqlite needs --db PATH"),
    ],
)
def test_replay_store_options_are_checked(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    """
    --db and --store go together.
    """
    status, _, err = dirsync(
        capsys, "replay", *args, EXAMPLES / "onboarding.json"
    )

    assert status == 2
    assert message in err


def _interruptible() -> None:
    # A shell without job control starts a background command with
    # SIGINT ignored, and Python keeps it ignored: the command running
    # these tests may be one, and the interrupt below must still arrive.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_run_forever_stops_on_interrupt(tmp_path: Path) -> None:
    """
    run --forever keeps cycling until interrupted, showing each cycle.
    """
    db = tmp_path / "d.db"
    subprocess.run(
        [sys.executable, "-m", "dirsync", "init", "--db", str(db)],
        check=True,
        capture_output=True,
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dirsync",
            "run",
            "--forever",
            "--interval",
            "0.05",
            "--db",
            str(db),
        ],
        stdout=subprocess.PIPE,
        preexec_fn=_interruptible,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    process.send_signal(signal.SIGINT)  # as Ctrl-C
    rest, _ = process.communicate(timeout=30)

    assert first.startswith(b"cycle 1: 0 applied")
    assert process.returncode == 0
    assert rest.endswith(b"stopped\n")


def test_demo_tells_the_whole_story(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """
    The demo runs on a new file and shows joiners, movers, leavers, a
    held workspace, a parked event and its retry.
    """
    db = tmp_path / "demo.db"

    status, out, _ = dirsync(capsys, "demo", "--db", db)
    again = dirsync(capsys, "demo", "--db", db)

    assert status == 0
    for words in (
        "P-NEW",
        "U-PROFILE",
        "U-ROLE",
        "U-EMAIL",
        "D-MEMBER",
        "D-INVITED",
        "D-OWNER",
        "held (owner deactivated)",
        "[ahead of the queue]",
        "Parked: event e3 of acme after 3 attempts",
        "acme: active, 0 queued, 0 parked",
        "olive@acme.com (acme): owner protected",
    ):
        assert words in out, words
    assert again[0] == 2
    assert "exists; the demo needs a new file" in again[2]


def test_demo_uses_a_temporary_file_by_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """
    Without --db the demo leaves nothing behind.
    """
    status, out, _ = dirsync(capsys, "demo")

    path = Path(out.splitlines()[0].removeprefix("A fresh SQLite file: "))
    assert status == 0
    assert not path.exists()


class _Terminal(io.StringIO):
    """
    Standard error as a terminal.
    """

    def isatty(self) -> bool:
        return True


def test_long_runs_show_progress_on_a_terminal(
    tmp_path: Path,
    scenario: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """
    On a terminal, run --drain keeps one line of running counts on
    standard error, rewritten after every cycle; elsewhere it is silent.
    """
    db = tmp_path / "d.db"
    dirsync(capsys, "init", "--db", db)
    dirsync(capsys, "load", scenario, "--db", db)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)

    dirsync(
        capsys,
        *("run", "--drain", "--batch-limit", "1", "--no-revoke-first"),
        *("--db", db),
    )

    shown = terminal.getvalue()
    assert shown.count("\r\x1b[K") == 3
    assert "dirsync: cycle 1; so far 1 applied" in shown
    assert shown.endswith(
        "dirsync: cycle 3; so far 2 applied, 0 failed, 0 parked, 1 mailed\n"
    )
    monkeypatch.undo()
    more = tmp_path / "more.jsonl"
    more.write_text(json.dumps(updated("e3", "d-pat", "pat@acme.com")))
    dirsync(capsys, "enqueue", more, "--db", db)
    assert dirsync(capsys, "run", "--drain", "--db", db)[2] == ""


def test_load_sends_scim_requests_through_the_endpoint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """
    ``dirsync load`` of a scenario with SCIM requests sends them to the
    endpoint on the database's mirror, says which were refused, and a
    run applies what they queued.
    """
    db = tmp_path / "scim.db"
    example = Path(__file__).parent.parent.parent / "examples" / "scenarios"
    dirsync(capsys, "init", "--db", db)

    loaded = dirsync(capsys, "load", example / "scim_entra.json", "--db", db)[
        1
    ]
    dirsync(capsys, "run", "--drain", "--db", db)
    exported = json.loads(dirsync(capsys, "export", "--db", db)[1])

    assert "sent 7 SCIM requests" in loaded
    assert "SCIM request s7: 400" in loaded
    hank = next(
        a for a in exported["accounts"] if a["email"] == "hank@acme.com"
    )
    assert (hank["role"], hank["department"]) == ("admin", "Marketing")
