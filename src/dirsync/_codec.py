"""
Directory events to and from JSON, for inboxes that store them as text.
"""

from __future__ import annotations

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
from ._model import DirectoryUser, Email, Profile, Role


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
        body["email"] = None if event.email is None else event.email.address
    else:
        body["user"] = _user(event.user)
    if isinstance(event, UserUpdated):
        previous = event.previous
        body["previous"] = {
            "email": None
            if previous.email is None
            else previous.email.address,
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
            email=None if email is None else Email.parse(email),
            **envelope,
        )
    user = _read_user(body["user"])
    if body["type"] == "user.created":
        return UserCreated(user=user, **envelope)
    previous = body["previous"]
    return UserUpdated(
        user=user,
        previous=PreviousValues(
            email=(
                None
                if previous["email"] is None
                else Email.parse(previous["email"])
            ),
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
        "email": user.email.address,
        "profile": _profile(user.profile),
        "role": user.role.value,
        "active": user.active,
        "stated": sorted(user.stated),
    }


def _read_user(body: dict[str, Any]) -> DirectoryUser:
    return DirectoryUser(
        id=body["id"],
        email=Email.parse(body["email"]),
        profile=Profile(*body["profile"]),
        role=Role(body["role"]),
        active=body["active"],
        stated=frozenset(body["stated"]),
    )
