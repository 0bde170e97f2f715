"""
A product with two workspaces, the SCIM endpoint in front of it, and the
scheduler behind it: what the endpoint tests drive.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from dirsync import (
    Account,
    Domain,
    Email,
    Policy,
    Role,
    Scheduler,
    State,
    Workspace,
)
from dirsync.scim import Endpoint, ResourceKind, ScimRequest, ScimResponse
from dirsync.scim import Settings as ScimSettings
from dirsync.stores.memory import MemoryDirectory, MemoryInbox, MemoryStore
from dirsync.testing import RecordingMailer

BASE = "https://app.example.com/scim/v2"
NOW = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)


#: People already members of Acme, added by hand before Directory Sync
#: was switched on: provisioning links them (P-MEMBER).
ACME_MEMBERS = ("test.user@acme.com", "nina.ng@acme.com")


def product() -> State:
    """
    Acme (owner Olive, claims acme.com, with the hand-added members
    `ACME_MEMBERS`) and Globex (owner Gina, claims globex.com).
    """
    return State(
        workspaces=[
            Workspace(
                "acme",
                Email.parse("olive@acme.com"),
                frozenset({Domain.parse("acme.com")}),
            ),
            Workspace(
                "globex",
                Email.parse("gina@globex.com"),
                frozenset({Domain.parse("globex.com")}),
            ),
        ],
        accounts=[
            Account(
                Email.parse("olive@acme.com"),
                workspace="acme",
                role=Role.ADMIN,
            ),
            Account(
                Email.parse("gina@globex.com"),
                workspace="globex",
                role=Role.ADMIN,
            ),
            *(
                Account(Email.parse(e), workspace="acme", role=Role.MEMBER)
                for e in ACME_MEMBERS
            ),
        ],
    )


class Harness:
    """
    The whole path: SCIM request, mirror, inbox, scheduler, product.
    """

    def __init__(self, admin_groups: Iterable[str] = ()) -> None:
        self.state = product()
        self.inbox = MemoryInbox()
        self.directory = MemoryDirectory(self.inbox)
        self.store = MemoryStore(self.state)
        self.mailer = RecordingMailer()
        counter = itertools.count(1)
        self.endpoint = Endpoint(
            self.directory,
            new_id=lambda: f"id-{next(counter)}",
            now=lambda: NOW,
            settings=ScimSettings(base_url=BASE),
            policy=Policy(admin_groups=frozenset(admin_groups)),
        )

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        query: str = "",
        workspace: str = "acme",
        raw: bytes | None = None,
    ) -> ScimResponse:
        """
        Send one request, the body encoded as JSON unless *raw* is given.
        """
        if raw is None:
            raw = b"" if body is None else json.dumps(body).encode()
        return self.endpoint.handle(
            ScimRequest(method, path, workspace, query, raw)
        )

    def create(self, body: Any, workspace: str = "acme") -> str:
        """
        POST a user or group (by its schemas) and return its id.
        """
        urn = str(body["schemas"][0]).lower()
        kind = "/Groups" if urn.endswith(":group") else "/Users"
        response = self.call("POST", kind, body, workspace=workspace)
        assert response.status == 201, response.body
        assert response.body is not None
        return str(response.body["id"])

    def sync(self) -> None:
        """
        Run the scheduler until the inbox is empty.
        """
        Scheduler(self.store, self.inbox, self.mailer).drain()

    def account(self, email: str) -> Account:
        """
        The product's account with *email*.
        """
        number = self.state.find(Email.parse(email).key)
        assert number is not None, f"no account {email}"
        return self.state.accounts[number]

    def snapshot(self) -> object:
        """
        Everything a refused request must leave as it was: the mirror of
        both workspaces, and the inbox.
        """
        mirror = [
            (ws, kind, r.id, json.dumps(r.body, sort_keys=True))
            for ws in ("acme", "globex")
            for kind in ResourceKind
            for r in self.directory.all(ws, kind)
        ]
        queued = [
            e.event for ws in ("acme", "globex") for e in self.inbox.queued(ws)
        ]
        return mirror, queued


def user(
    user_name: str,
    *,
    given: str = "Nina",
    family: str = "Ng",
    email: str | None = None,
    **more: Any,
) -> dict[str, Any]:
    """
    A SCIM User body as Okta sends it on create.
    """
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "name": {"givenName": given, "familyName": family},
        "emails": [
            {"primary": True, "value": email or user_name, "type": "work"}
        ],
        "active": True,
        **more,
    }


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    """
    A PatchOp message.
    """
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": list(operations),
    }


def group(name: str, *members: str) -> dict[str, Any]:
    """
    A SCIM Group body with *members* (ids).
    """
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": name,
        "members": [{"value": m} for m in members],
    }
