"""
The SQLite store across processes: killed at random moments and
restarted, or shared by two workers, it loses nothing and does nothing
twice.
"""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

WORKSPACES = ("acme", "globex", "initech", "umbrella")


def _scenario(events_per_workspace: int, seed: int) -> dict[str, Any]:
    """
    Four workspaces with owners and disjoint domains, and a deterministic
    stream of joiners, movers and leavers for each.
    """
    rng = random.Random(seed)
    workspaces = [
        {
            "id": name,
            "owner": f"owner@{name}.com",
            "claimed_domains": [f"{name}.com"],
        }
        for name in WORKSPACES
    ]
    accounts = [
        {"email": f"owner@{name}.com", "workspace": name, "role": "admin"}
        for name in WORKSPACES
    ]
    events = []
    for n in range(events_per_workspace):
        for name in WORKSPACES:
            person = rng.randrange(events_per_workspace // 3 + 1)
            user: dict[str, Any] = {
                "id": f"{name}-u{person}",
                "email": f"p{person}@{name}.com",
                "first_name": f"P{person}",
                "title": rng.choice(["Engineer", "Manager", "Analyst"]),
                "role": rng.choice(["member", "member", "admin"]),
            }
            kind = rng.choices(
                ["user.created", "user.updated", "user.deleted"], [3, 5, 1]
            )[0]
            if kind == "user.updated" and rng.random() < 0.2:
                user["active"] = False
            events.append(
                {
                    "id": f"{name}-e{n}",
                    "workspace": name,
                    "type": kind,
                    "user": user,
                }
            )
    return {
        "workspaces": workspaces,
        "accounts": accounts,
        "events": events,
    }


def _same(left: dict[str, Any], right: dict[str, Any]) -> bool:
    """
    Whether two exports hold the same things.  Workspaces do not wait on
    each other, so how their events interleave, and so the order in
    which accounts, invitations and mail were created across
    workspaces, depends on timing; each workspace's own order does not.
    """

    def canonical(document: dict[str, Any]) -> dict[str, Any]:
        return {
            key: sorted(json.dumps(item, sort_keys=True) for item in value)
            for key, value in document.items()
        }

    return canonical(left) == canonical(right)


def _dirsync(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "dirsync", *map(str, args)]


def _prepare(folder: Path, name: str, scenario: Path) -> Path:
    db = folder / name
    subprocess.run(
        _dirsync("init", "--db", db), check=True, capture_output=True
    )
    subprocess.run(
        _dirsync("load", scenario, "--db", db), check=True, capture_output=True
    )
    return db


def _export(db: Path) -> dict[str, Any]:
    done = subprocess.run(
        _dirsync("export", "--db", db), check=True, capture_output=True
    )
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def _queued(db: sqlite3.Connection) -> int:
    """
    How many events the inbox holds: read from its table, as the
    store's own readers decode every event.
    """
    row = db.execute("SELECT count(*) FROM inbox").fetchone()
    return int(row[0])


def _drain(
    db: Path, worker: str, commit_every: int = 1
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        _dirsync(
            "run",
            "--drain",
            "--batch-limit",
            "7",
            "--commit-every",
            str(commit_every),
            "--worker",
            worker,
            "--db",
            db,
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.parametrize("commit_every", [1, 16])
def test_killed_workers_lose_and_double_nothing(
    tmp_path: Path, commit_every: int
) -> None:
    """
    A worker killed with SIGKILL at random moments and restarted ends in
    exactly the state of a run that was never interrupted, whether each
    event commits alone or in a group.
    """
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(_scenario(400, seed=3)))
    calm = _prepare(tmp_path, "calm.db", scenario)
    crashed = _prepare(tmp_path, "crashed.db", scenario)
    rng = random.Random(5)

    subprocess.run(
        _dirsync("run", "--drain", "--batch-limit", "7", "--db", calm),
        check=True,
        capture_output=True,
    )
    # Each worker is killed once it has done a random share of what is
    # left, and a few random milliseconds later: timed by progress, not
    # by the clock, the kills land in the run however fast the machine.
    kills = 0
    watch = sqlite3.connect(crashed, timeout=60.0)
    while True:
        # Restarted under the same name, it takes its leases back.
        worker = _drain(crashed, "crashy", commit_every)
        if kills == 8:
            worker.wait(timeout=300)
            break
        left = _queued(watch)
        target = left - rng.randint(1, max(1, left // 6))
        while worker.poll() is None and _queued(watch) > target:
            time.sleep(0.002)
        time.sleep(rng.uniform(0.0, 0.02))
        if worker.poll() is not None:
            break
        worker.kill()  # SIGKILL
        worker.wait()
        kills += 1
    watch.close()
    assert worker.returncode == 0, worker.stderr

    assert kills > 0, "the run ended before any kill"
    assert _same(_export(crashed), _export(calm))
    status = subprocess.run(
        _dirsync("status", "--db", crashed), check=True, capture_output=True
    ).stdout.decode()
    assert "0 queued, 0 parked" in status
    assert "queued, 0 parked" in status


@pytest.mark.parametrize("commit_every", [1, 16])
def test_two_workers_share_a_file(tmp_path: Path, commit_every: int) -> None:
    """
    Two workers draining one file at once process every event exactly
    once: the end state is the single worker's, and no invitation is
    written twice, whether each event commits alone or in a group.
    """
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(_scenario(80, seed=11)))
    single = _prepare(tmp_path, "single.db", scenario)
    shared = _prepare(tmp_path, "shared.db", scenario)

    subprocess.run(
        _dirsync("run", "--drain", "--batch-limit", "7", "--db", single),
        check=True,
        capture_output=True,
    )
    workers = [
        _drain(shared, "left", commit_every),
        _drain(shared, "right", commit_every),
    ]
    for worker in workers:
        worker.wait(timeout=300)
        assert worker.returncode == 0, worker.stderr
    # A worker stops when a cycle finds nothing it may take; whatever the
    # other left (if it stopped first) is drained here.
    subprocess.run(
        _dirsync("run", "--drain", "--worker", "left", "--db", shared),
        check=True,
        capture_output=True,
    )

    assert _same(_export(shared), _export(single))
