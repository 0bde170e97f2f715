"""
A SCIM 2.0 server that Okta or Microsoft Entra ID can be pointed at.

It mounts `dirsync.scim.Endpoint` in Starlette, keeps everything in one
SQLite file (the product, the SCIM mirror and the queue), and runs the
scheduler in a background thread, so that what the identity provider
sends reaches the product within one interval.

Try it::

    pip install 'dirsync[server]'
    dirsync init --db acme.db
    dirsync load --db acme.db examples/scenarios/onboarding.json
    python examples/scim_server.py --db acme.db --issue acme
    python examples/scim_server.py --db acme.db --port 8000

The third command prints a bearer token for the workspace ``acme``; give
it to the identity provider together with the base URL
``http://HOST:8000/scim/v2``.
Tokens are kept as hashes in ``acme.db.tokens.json``.

This is an example: put it behind TLS, and give it a real mailer.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import threading
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dirsync import DEFAULT_POLICY, Policy, Scheduler
from dirsync.ports import OutgoingMail
from dirsync.scim import (
    Endpoint,
    InvalidProvisioningEvent,
    ScimRequest,
    ScimResponse,
    Settings,
)
from dirsync.stores.sqlite import SQLiteStore
from dirsync.tokens import WWW_AUTHENTICATE, TokenRecord, TokenRegistry

PREFIX = "/scim/v2"
log = logging.getLogger("scim_server")


class LoggingMailer:
    """
    Stands in for the host's mail service: logs each invitation.
    """

    def deliver(self, mail: OutgoingMail) -> None:
        log.info("invitation to %s for %s", mail.to, mail.workspace)


class StoppableClock:
    """
    The real time, with a sleep that `stop` cuts short.
    """

    def __init__(self) -> None:
        self.stopped = threading.Event()

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        self.stopped.wait(seconds)


def create_app(
    db: Path,
    tokens: TokenRegistry,
    *,
    base_url: str,
    policy: Policy = DEFAULT_POLICY,
    scheduler: bool = True,
) -> Starlette:
    """
    The Starlette application: the SCIM API under ``/scim/v2``, and the
    scheduler running in a thread while the application runs.
    """
    clock = StoppableClock()
    endpoints: list[Endpoint] = []

    async def scim(request: Request) -> Response:
        try:
            workspace = tokens.authenticate(
                request.headers.get("authorization")
            )
        except InvalidProvisioningEvent as e:
            return _send(
                ScimResponse(e.status, e.body()),
                {"WWW-Authenticate": WWW_AUTHENTICATE},
            )
        path = request.url.path.removeprefix(PREFIX)
        answer = endpoints[0].handle(
            ScimRequest(
                request.method,
                path,
                workspace,
                request.url.query,
                await request.body(),
            )
        )
        return _send(answer)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # The endpoint runs in the event loop's thread, on a connection
        # of its own (sqlite3 connections stay in the thread that opened
        # them); the scheduler's thread has another. SQLite lets both
        # work on the one file.
        store = SQLiteStore(db)
        endpoints.append(
            Endpoint(
                store,
                new_id=lambda: uuid.uuid4().hex,
                now=clock.now,
                settings=Settings(base_url=base_url),
                policy=policy,
            )
        )
        thread = threading.Thread(
            target=_schedule, args=(db, policy, clock), daemon=True
        )
        if scheduler:
            thread.start()
        yield
        clock.stopped.set()
        if scheduler:
            thread.join()
        store.close()

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return Starlette(
        routes=[
            Route(PREFIX, scim, methods=methods),
            Route(PREFIX + "/{rest:path}", scim, methods=methods),
        ],
        lifespan=lifespan,
    )


def _schedule(db: Path, policy: Policy, clock: StoppableClock) -> None:
    store = SQLiteStore(db)
    try:
        Scheduler(store, store, LoggingMailer(), policy, clock).run_forever(
            stop=clock.stopped.is_set
        )
    finally:
        store.close()


def _send(
    answer: ScimResponse, extra: dict[str, str] | None = None
) -> Response:
    headers = dict(answer.headers)
    headers.update(extra or {})
    return Response(
        answer.content(), status_code=answer.status, headers=headers
    )


def load_tokens(path: Path) -> TokenRegistry:
    """
    The registry kept (as hashes) in *path*, or an empty one.
    """
    if not path.exists():
        return TokenRegistry()
    rows = json.loads(path.read_text())
    return TokenRegistry(TokenRecord(**row) for row in rows)


def save_tokens(path: Path, tokens: TokenRegistry) -> None:
    """
    Keep the registry's hashes in *path*.
    """
    rows = [attrs.asdict(record) for record in tokens.records]
    path.write_text(json.dumps(rows, indent=2))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--interval", type=float, default=300.0)
    parser.add_argument(
        "--issue", metavar="WORKSPACE", help="print a new token and exit"
    )
    args = parser.parse_args(argv)

    token_file = Path(f"{args.db}.tokens.json")
    tokens = load_tokens(token_file)
    if args.issue:
        print(tokens.issue(args.issue))
        save_tokens(token_file, tokens)
        return

    logging.basicConfig(level=logging.INFO)
    policy = Policy(interval=timedelta(seconds=args.interval))
    app = create_app(
        args.db,
        tokens,
        base_url=f"http://{args.host}:{args.port}{PREFIX}",
        policy=policy,
    )
    uvicorn.run(app, host=args.host, port=args.port)


if __name__ == "__main__":
    main()
