"""
The example SCIM server (examples/scim_server.py), driven over HTTP on
the loopback interface: bearer tokens, the endpoint, the SQLite stores
and the scheduler thread together; and the conformance checker
``scim2-tester`` run against it.
"""

from __future__ import annotations

import importlib.util
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import uvicorn

from dirsync import AccountStatus, Email, Policy, State
from dirsync.stores.sqlite import SQLiteStore
from dirsync.tokens import TokenRegistry

from ..scim.harness import product, user

EXAMPLE = Path(__file__).parent.parent.parent / "examples" / "scim_server.py"


def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("scim_server", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Server:
    """
    The example application served by uvicorn in a thread, on a free
    loopback port.
    """

    def __init__(self, db: Path, tokens: TokenRegistry) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        port = self.sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{port}/scim/v2"
        app = example().create_app(
            db,
            tokens,
            base_url=self.base,
            policy=Policy(interval=timedelta(milliseconds=50)),
        )
        config = uvicorn.Config(app, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}
        )
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Server, dict[str, str], Path]]:
    db = tmp_path / "product.db"
    store = SQLiteStore(db)
    store.load(product())
    store.close()
    tokens = TokenRegistry()
    issued = {ws: tokens.issue(ws) for ws in ("acme", "globex")}
    server = Server(db, tokens)
    try:
        yield server, issued, db
    finally:
        server.stop()


def client(server: Server, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=server.base,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def eventually(check: Callable[[State], bool], db: Path) -> State:
    """
    The product, once *check* holds of it (the scheduler runs every
    50 ms).
    """
    deadline = time.monotonic() + 10
    while True:
        store = SQLiteStore(db)
        state = store.export()
        store.close()
        if check(state):
            return state
        assert time.monotonic() < deadline, "the scheduler did not apply it"
        time.sleep(0.05)


def status_of(state: State, email: str) -> AccountStatus | None:
    number = state.find(Email.parse(email).key)
    return None if number is None else state.accounts[number].status


def test_provisioning_over_http_reaches_the_product(
    served: tuple[Server, dict[str, str], Path],
) -> None:
    """
    A user created and then deactivated over HTTP is linked, and then
    deactivated, by the scheduler running beside the server.
    """
    server, tokens, db = served
    with client(server, tokens["acme"]) as http:
        created = http.post(
            "/Users",
            json=user("test.user@acme.com"),
            headers={"Content-Type": "application/scim+json"},
        )
        assert created.status_code == 201
        assert created.headers["content-type"].startswith(
            "application/scim+json"
        )
        assert created.headers["location"].startswith(server.base)
        ident = created.json()["id"]

        eventually(
            lambda s: (
                status_of(s, "test.user@acme.com") is AccountStatus.ACTIVE
                and any(
                    a.link is not None and a.link.user_id == ident
                    for a in s.accounts
                )
            ),
            db,
        )

        off = http.patch(
            f"/Users/{ident}",
            json={
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "value": {"active": False}}],
            },
        )
        assert off.status_code == 200

    eventually(
        lambda s: (
            status_of(s, "test.user@acme.com") is AccountStatus.DEACTIVATED
        ),
        db,
    )


def test_requests_without_a_valid_token_are_refused(
    served: tuple[Server, dict[str, str], Path],
) -> None:
    """
    No token, a wrong one, or another scheme: 401 with a SCIM error body
    and a Bearer challenge.
    """
    server, tokens, _ = served
    with httpx.Client(base_url=server.base, timeout=10) as http:
        answers = [
            http.get("/Users"),
            http.get("/Users", headers={"Authorization": "Bearer nope"}),
            http.get(
                "/Users",
                headers={"Authorization": f"Basic {tokens['acme']}"},
            ),
        ]

    for answer in answers:
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"].startswith("Bearer")
        assert answer.json()["status"] == "401"


def test_a_token_reaches_only_its_own_workspace(
    served: tuple[Server, dict[str, str], Path],
) -> None:
    """
    Globex's token cannot see or change Acme's users.
    """
    server, tokens, _ = served
    with client(server, tokens["acme"]) as acme:
        ident = acme.post("/Users", json=user("nina@acme.com")).json()["id"]
    with client(server, tokens["globex"]) as globex:
        read = globex.get(f"/Users/{ident}")
        gone = globex.delete(f"/Users/{ident}")
        listed = globex.get("/Users").json()

    assert (read.status_code, gone.status_code) == (404, 404)
    assert listed["totalResults"] == 0


#: Checks of scim2-tester that do not apply, and why (also listed in
#: docs/limitations.md).
NOT_APPLICABLE: dict[str, str] = {}


def test_scim2_tester_passes(
    served: tuple[Server, dict[str, str], Path],
) -> None:
    """
    Every check of the conformance checker passes, or is listed as not
    applicable with its reason.
    """
    import httpx2
    from scim2_client.engines.httpx2 import SyncSCIMClient
    from scim2_tester import Status, check_server

    server, tokens, _ = served
    with httpx2.Client(
        base_url=server.base,
        headers={"Authorization": f"Bearer {tokens['acme']}"},
        timeout=10,
    ) as http:
        results = check_server(SyncSCIMClient(http))

    failed: list[Any] = [
        r
        for r in results
        if r.status not in (Status.SUCCESS, Status.SKIPPED)
        and r.title not in NOT_APPLICABLE
    ]
    assert results
    assert not failed, "\n".join(
        f"{r.title}: {r.status} {r.reason}" for r in failed
    )
