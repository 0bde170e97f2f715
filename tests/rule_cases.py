"""
One worked example for every rule of SPEC, as data.

Each case replays events against the same small product (`WORLD`, in the
scenario file form of SPEC section 10) and states what the decision for
one event must be.  `tests/unit/test_rules.py` runs them and checks that
every rule of `dirsync.RULES` has a case here.
"""

from __future__ import annotations

from typing import Any

WORLD: dict[str, Any] = {
    "workspaces": [
        {
            "id": "acme",
            "owner": "olive@acme.com",
            "claimed_domains": ["acme.com"],
        },
        {
            "id": "globex",
            "owner": "gus@globex.com",
            "claimed_domains": ["globex.com"],
        },
    ],
    "accounts": [
        # acme's owner, managed by the directory.
        {
            "email": "olive@acme.com",
            "first_name": "Olive",
            "workspace": "acme",
            "role": "admin",
            "directory_id": "d-olive",
        },
        # A managed member.
        {
            "email": "mia@acme.com",
            "first_name": "Mia",
            "last_name": "Moss",
            "department": "Sales",
            "title": "Rep",
            "workspace": "acme",
            "role": "member",
            "directory_id": "d-mia",
        },
        # A member added by hand.
        {
            "email": "hank@acme.com",
            "first_name": "Hank",
            "workspace": "acme",
            "role": "member",
        },
        # A managed member, deactivated.
        {
            "email": "dora@acme.com",
            "first_name": "Dora",
            "workspace": "acme",
            "role": "member",
            "status": "deactivated",
            "directory_id": "d-dora",
        },
        # A member added and deactivated by hand.
        {
            "email": "dot@acme.com",
            "first_name": "Dot",
            "workspace": "acme",
            "role": "member",
            "status": "deactivated",
        },
        # A managed member whose domain acme has not claimed.
        {
            "email": "pat@gmail.com",
            "first_name": "Pat",
            "workspace": "acme",
            "role": "member",
            "directory_id": "d-pat",
        },
        # Accounts outside acme.
        {"email": "sam@gmail.com", "first_name": "Sam"},
        {"email": "zed@gmail.com", "status": "deactivated"},
        {
            "email": "lou@gmail.com",
            "directory_id": "d-lou",
            "created_by": "acme",
        },
        {"email": "gus@globex.com", "workspace": "globex", "role": "admin"},
        {"email": "gina@globex.com", "workspace": "globex", "role": "member"},
    ],
    "invitations": [
        {"workspace": "acme", "email": "ivan@gmail.com", "role": "member"},
        {"workspace": "acme", "email": "iris@acme.com", "role": "member"},
    ],
}


def created(event: str, user: str, email: str, **attrs: Any) -> dict[str, Any]:
    """
    A user.created event for acme.
    """
    return {
        "id": event,
        "workspace": "acme",
        "type": "user.created",
        "user": {"id": user, "email": email, **attrs},
    }


def updated(
    event: str,
    user: str,
    email: str,
    previous: dict[str, Any] | None = None,
    **attrs: Any,
) -> dict[str, Any]:
    """
    A user.updated event for acme.
    """
    result = {
        "id": event,
        "workspace": "acme",
        "type": "user.updated",
        "user": {"id": user, "email": email, **attrs},
    }
    if previous is not None:
        result["previous"] = previous
    return result


def deleted(event: str, user: str, email: str | None = None) -> dict[str, Any]:
    """
    A user.deleted event for acme.
    """
    body: dict[str, Any] = {"id": user}
    if email is not None:
        body["email"] = email
    return {
        "id": event,
        "workspace": "acme",
        "type": "user.deleted",
        "user": body,
    }


#: rule id, events, expected decision for the last event (unless the
#: expectation names another), optional policy.  A case with "fires"
#: false shows where the rule does not apply.
CASES: list[dict[str, Any]] = [
    # Provisioning.
    {
        "rule": "P-NEW",
        "events": [
            created("e1", "d-nina", "nina@acme.com", first_name="Nina")
        ],
        "expect": {
            "standing": "new",
            "rules": ["P-NEW"],
            "actions": ["create_account", "link", "send_invitation"],
        },
    },
    {
        "rule": "P-INVITED",
        "events": [created("e1", "d-iris", "iris@acme.com", title="CTO")],
        "expect": {
            "standing": "invited",
            "rules": ["P-INVITED"],
            "actions": ["link", "update_profile"],
        },
    },
    {
        "rule": "P-INVITED",
        "note": "unclaimed domain: the profile is left alone",
        "events": [created("e1", "d-ivan", "ivan@gmail.com", title="CTO")],
        "expect": {
            "standing": "invited",
            "rules": ["P-INVITED"],
            "actions": ["link"],
        },
        "account": {"email": "ivan@gmail.com", "title": None},
    },
    {
        "rule": "P-MEMBER",
        "events": [created("e1", "d-hank", "hank@acme.com", role="admin")],
        "expect": {
            "standing": "member",
            "rules": ["P-MEMBER"],
            "actions": ["link", "set_role"],
        },
    },
    {
        "rule": "P-REACTIVATE",
        "events": [
            updated(
                "e1", "d-dora", "dora@acme.com", previous={"active": False}
            )
        ],
        "expect": {
            "standing": "deactivated_member",
            "rules": ["P-REACTIVATE"],
            "actions": ["reactivate"],
        },
    },
    {
        "rule": "P-REACTIVATE",
        "note": "the evidence is the inactive state recorded earlier",
        "events": [
            updated("e1", "d-mia", "mia@acme.com", active=False),
            updated("e2", "d-mia", "mia@acme.com", active=True),
        ],
        "expect": {
            "standing": "deactivated_member",
            "rules": ["P-REACTIVATE"],
            "actions": ["reactivate"],
        },
    },
    {
        "rule": "P-STANDALONE",
        "events": [created("e1", "d-sam", "sam@gmail.com")],
        "expect": {
            "standing": "standalone",
            "rules": ["P-STANDALONE"],
            "actions": ["link", "send_invitation"],
        },
    },
    {
        "rule": "P-OTHER-WORKSPACE",
        "events": [created("e1", "d-gina", "gina@globex.com")],
        "expect": {
            "standing": "other_workspace",
            "rules": ["P-OTHER-WORKSPACE"],
            "actions": ["escalate"],
            "escalations": ["account_in_other_workspace"],
        },
    },
    {
        "rule": "P-DEACTIVATED-ELSEWHERE",
        "events": [created("e1", "d-zed", "zed@gmail.com")],
        "expect": {
            "standing": "deactivated_elsewhere",
            "rules": ["P-DEACTIVATED-ELSEWHERE"],
            "actions": ["link", "send_invitation", "escalate"],
            "escalations": ["account_deactivated"],
        },
    },
    # Deprovisioning.
    {
        "rule": "D-INVITED",
        "events": [deleted("e1", "d-ivan", "ivan@gmail.com")],
        "expect": {
            "standing": "invited",
            "rules": ["D-INVITED"],
            "actions": ["revoke_invitation"],
        },
    },
    {
        "rule": "D-OWNER",
        "events": [deleted("e1", "d-olive")],
        "expect": {
            "standing": "member",
            "rules": ["D-OWNER"],
            "actions": ["escalate"],
            "escalations": ["owner_protected"],
        },
    },
    {
        "rule": "D-MEMBER",
        "events": [deleted("e1", "d-mia")],
        "expect": {
            "standing": "member",
            "rules": ["D-MEMBER"],
            "actions": ["deactivate"],
        },
    },
    {
        "rule": "D-MEMBER",
        "note": "active set to false deprovisions as a deletion does",
        "events": [updated("e1", "d-mia", "mia@acme.com", active=False)],
        "expect": {
            "standing": "member",
            "rules": ["D-MEMBER"],
            "actions": ["deactivate"],
        },
    },
    {
        "rule": "D-UNMANAGED",
        "events": [deleted("e1", "d-hank", "hank@acme.com")],
        "expect": {
            "standing": "member",
            "rules": ["D-UNMANAGED"],
            "actions": ["skip"],
            "skips": ["not_managed"],
        },
    },
    {
        "rule": "D-OUTSIDE",
        "events": [deleted("e1", "d-sam", "sam@gmail.com")],
        "expect": {
            "standing": "standalone",
            "rules": ["D-OUTSIDE"],
            "actions": ["skip"],
            "skips": ["outside_workspace"],
        },
    },
    {
        "rule": "D-ALREADY",
        "events": [deleted("e1", "d-dora")],
        "expect": {
            "standing": "deactivated_member",
            "rules": ["D-ALREADY"],
            "actions": ["skip"],
            "skips": ["already_deactivated"],
        },
    },
    {
        "rule": "D-UNKNOWN",
        "events": [deleted("e1", "d-nobody")],
        "expect": {
            "standing": "new",
            "rules": ["D-UNKNOWN"],
            "actions": ["skip"],
            "skips": ["unknown_user"],
        },
    },
    # Updates.
    {
        "rule": "U-PROFILE",
        "events": [updated("e1", "d-mia", "mia@acme.com", title="Lead")],
        "expect": {
            "standing": "member",
            "rules": ["U-PROFILE"],
            "actions": ["update_profile"],
        },
        "account": {"email": "mia@acme.com", "title": "Lead"},
    },
    {
        "rule": "U-PROFILE",
        "note": "unclaimed domain: skipped and recorded",
        "events": [updated("e1", "d-pat", "pat@gmail.com", title="Lead")],
        "expect": {
            "standing": "member",
            "rules": ["U-PROFILE"],
            "actions": ["skip"],
            "skips": ["domain_unclaimed"],
        },
        "account": {"email": "pat@gmail.com", "title": None},
    },
    {
        "rule": "U-EMAIL",
        "events": [updated("e1", "d-mia", "mia.moss@gmail.com")],
        "expect": {
            "standing": "member",
            "rules": ["U-EMAIL"],
            "actions": ["change_email"],
        },
        "account": {"email": "mia.moss@gmail.com", "first_name": "Mia"},
    },
    {
        "rule": "U-EMAIL",
        "note": "the profile is decided on the new email's domain",
        "events": [
            updated("e1", "d-pat", "pat@acme.com", title="Lead"),
        ],
        "expect": {
            "standing": "member",
            "rules": ["U-EMAIL", "U-PROFILE"],
            "actions": ["change_email", "update_profile"],
        },
        "account": {"email": "pat@acme.com", "title": "Lead"},
    },
    {
        "rule": "U-ROLE",
        "events": [updated("e1", "d-mia", "mia@acme.com", role="admin")],
        "expect": {
            "standing": "member",
            "rules": ["U-ROLE"],
            "actions": ["set_role"],
        },
        "account": {"email": "mia@acme.com", "role": "admin"},
    },
    {
        "rule": "U-ROLE",
        "note": "applied whatever the domain",
        "events": [updated("e1", "d-pat", "pat@gmail.com", role="admin")],
        "expect": {
            "standing": "member",
            "rules": ["U-ROLE"],
            "actions": ["set_role"],
        },
    },
    {
        "rule": "U-UNKNOWN",
        "events": [
            updated("e1", "d-newbie", "newbie@acme.com", first_name="Ned")
        ],
        "expect": {
            "standing": "new",
            "rules": ["U-UNKNOWN", "P-NEW"],
            "actions": ["create_account", "link", "send_invitation"],
        },
    },
    {
        "rule": "U-UNKNOWN",
        "note": "an unlinked update for a member links them",
        "events": [updated("e1", "d-hank", "hank@acme.com")],
        "expect": {
            "standing": "member",
            "rules": ["U-UNKNOWN", "P-MEMBER"],
            "actions": ["link"],
        },
    },
    {
        "rule": "U-OUTSIDE",
        "events": [updated("e1", "d-lou", "lou@gmail.com", title="X")],
        "expect": {
            "standing": "standalone",
            "rules": ["U-OUTSIDE"],
            "actions": ["skip"],
            "skips": ["outside_workspace"],
        },
    },
    {
        "rule": "U-DEACTIVATED",
        "events": [updated("e1", "d-dora", "dora@acme.com", title="Lead")],
        "expect": {
            "standing": "deactivated_member",
            "rules": ["U-DEACTIVATED", "U-PROFILE"],
            "actions": ["update_profile"],
        },
        "account": {"email": "dora@acme.com", "status": "deactivated"},
    },
    {
        "rule": "U-DEACTIVATED",
        "note": "unlinked: linked, but still not reactivated",
        "events": [updated("e1", "d-dot", "dot@acme.com", title="Lead")],
        "expect": {
            "standing": "deactivated_member",
            "rules": ["U-UNKNOWN", "U-DEACTIVATED", "U-PROFILE"],
            "actions": ["link", "update_profile"],
        },
        "account": {
            "email": "dot@acme.com",
            "status": "deactivated",
            "directory_id": "d-dot",
            "title": "Lead",
        },
    },
    # Guards.
    {
        "rule": "G-EMAIL-TAKEN",
        "events": [updated("e1", "d-mia", "hank@acme.com")],
        "expect": {
            "standing": "member",
            "rules": ["U-EMAIL", "G-EMAIL-TAKEN"],
            "actions": ["escalate"],
            "escalations": ["email_taken"],
        },
        "account": {"email": "mia@acme.com"},
    },
    {
        "rule": "G-EMAIL-FOREIGN-CLAIM",
        "events": [updated("e1", "d-mia", "mia@globex.com")],
        "expect": {
            "standing": "member",
            "rules": ["U-EMAIL", "G-EMAIL-FOREIGN-CLAIM"],
            "actions": ["escalate"],
            "escalations": ["email_claimed_elsewhere"],
        },
    },
    {
        "rule": "G-EMAIL-UNOWNED",
        "policy": {"email_changes": "guarded"},
        "events": [updated("e1", "d-pat", "pat@yahoo.com")],
        "expect": {
            "standing": "member",
            "rules": ["U-EMAIL", "G-EMAIL-UNOWNED"],
            "actions": ["escalate"],
            "escalations": ["email_unowned"],
        },
        "account": {"email": "pat@gmail.com"},
    },
    {
        "rule": "G-EMAIL-UNOWNED",
        "note": "the default policy, always, applies the same change",
        "fires": False,
        "events": [updated("e1", "d-pat", "pat@yahoo.com")],
        "expect": {
            "standing": "member",
            "rules": ["U-EMAIL"],
            "actions": ["change_email"],
        },
        "account": {"email": "pat@yahoo.com"},
    },
    {
        "rule": "G-OWNER",
        "events": [updated("e1", "d-olive", "olive@acme.com", role="member")],
        "expect": {
            "standing": "member",
            "rules": ["U-ROLE", "G-OWNER"],
            "actions": ["escalate"],
            "escalations": ["owner_protected"],
        },
        "account": {"email": "olive@acme.com", "role": "admin"},
    },
    # Scheduling.
    {
        "rule": "S-REVOKE-FIRST",
        "policy": {"batch_limit": 1},
        "events": [
            created("e1", "d-a", "a@acme.com"),
            created("e2", "d-b", "b@acme.com"),
            deleted("e3", "d-mia"),
        ],
        "expect": {
            "event": "e3",
            "cycle": 1,
            "rules": ["D-MEMBER", "S-REVOKE-FIRST"],
            "actions": ["deactivate"],
        },
    },
    {
        "rule": "S-REVOKE-FIRST",
        "note": "with the policy off, the deletion waits its turn",
        "fires": False,
        "policy": {"batch_limit": 1, "revoke_first": False},
        "events": [
            created("e1", "d-a", "a@acme.com"),
            created("e2", "d-b", "b@acme.com"),
            deleted("e3", "d-mia"),
        ],
        "expect": {
            "event": "e3",
            "cycle": 3,
            "rules": ["D-MEMBER"],
            "actions": ["deactivate"],
        },
    },
]
