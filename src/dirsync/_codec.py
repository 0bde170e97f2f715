"""
Directory events to and from JSON, for inboxes that store them as text.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any

from ._events import (
    DirectoryEvent,
    PreviousValues,
    UserCreated,
    UserDeleted,
    UserUpdated,
)
from ._model import STATEABLE, DirectoryUser, Domain, Email, Profile, Role


def encode_event(event: DirectoryEvent) -> str:
    """
    *event* as a JSON object; `decode_event` reads it back.

    .. versionadded:: 0.1.0
    """
    body: dict[str, Any] = {
        "type": event.type.value,
        "id": event.id,
        "workspace": event.workspace,
        "sequence": event.sequence,
        "occurred_at": (
            None
            if event.occurred_at is None
            else event.occurred_at.isoformat()
        ),
    }
    if isinstance(event, UserDeleted):
        body["user_id"] = event.user_id
        body["email"] = _email(event.email)
    else:
        body["user"] = _user(event.user)
    if isinstance(event, UserUpdated):
        previous = event.previous
        body["previous"] = {
            "email": _email(previous.email),
            "profile": (
                None
                if previous.profile is None
                else _profile(previous.profile)
            ),
            "role": None if previous.role is None else previous.role.value,
            "active": previous.active,
        }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def decode_event(text: str) -> DirectoryEvent:
    """
    The event `encode_event` wrote.

    .. versionadded:: 0.1.0
    """
    body = json.loads(text)
    envelope = {
        "id": body["id"],
        "workspace": body["workspace"],
        "sequence": body["sequence"],
        "occurred_at": (
            None
            if body["occurred_at"] is None
            else datetime.fromisoformat(body["occurred_at"])
        ),
    }
    if body["type"] == "user.deleted":
        email = body["email"]
        return UserDeleted(
            user_id=body["user_id"],
            email=_read_email(email),
            **envelope,
        )
    user = _read_user(body["user"])
    if body["type"] == "user.created":
        return UserCreated(user=user, **envelope)
    previous = body["previous"]
    return UserUpdated(
        user=user,
        previous=PreviousValues(
            email=(_read_email(previous["email"])),
            profile=(
                None
                if previous["profile"] is None
                else Profile(*previous["profile"])
            ),
            role=None if previous["role"] is None else Role(previous["role"]),
            active=previous["active"],
        ),
        **envelope,
    )


def _profile(profile: Profile) -> list[str | None]:
    return [
        profile.first_name,
        profile.last_name,
        profile.department,
        profile.title,
    ]


def _user(user: DirectoryUser) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": _email(user.email),
        "profile": _profile(user.profile),
        "role": user.role.value,
        "active": user.active,
        "stated": sorted(user.stated),
    }


def _read_user(body: dict[str, Any]) -> DirectoryUser:
    email = _read_email(body["email"])
    assert email is not None, "a directory user has an email"
    return DirectoryUser(
        id=body["id"],
        email=email,
        profile=Profile(*body["profile"]),
        role=Role(body["role"]),
        active=body["active"],
        stated=_stated(body["stated"]),
    )


def _email(email: Email | None) -> list[str] | None:
    """
    An email with its parts, so that reading it back needs no parsing.
    """
    if email is None:
        return None
    return [email.key, email.address, email.domain.ascii, email.domain.name]


def _read_email(stored: list[str] | str | None) -> Email | None:
    if stored is None:
        return None
    if isinstance(stored, str):
        # Written before emails were stored with their parts.
        return Email.parse(stored)
    key, address, ascii_domain, name = stored
    return Email(key, address, _domain(ascii_domain, name))


@functools.lru_cache(maxsize=4096)
def _domain(ascii_domain: str, name: str) -> Domain:
    # Few domains recur across many queued events: share one object each.
    return Domain(ascii_domain, name)


def _stated(names: list[str]) -> frozenset[str]:
    # Nearly every source states everything: share the one set.
    stated = frozenset(names)
    return STATEABLE if stated == STATEABLE else stated
