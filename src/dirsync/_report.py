"""
The outcome of a replay, written out: in SPEC section 10's JSON form for
programs, or as a story for people.
"""

from __future__ import annotations

from typing import Any

from ._model import Account
from ._simulate import Outcome


def tell(outcome: Outcome, title: str | None = None) -> str:
    """
    Describe *outcome* in plain sentences, cycle by cycle.

    .. versionadded:: 0.1.0
    """
    lines: list[str] = []
    if title:
        lines += [title, "=" * len(title), ""]
    if outcome.responses:
        lines.append("SCIM requests")
        lines.extend(
            f"  [{reply.workspace}] {reply.request}: {reply.status}"
            + ("" if reply.detail is None else f" ({reply.detail})")
            for reply in outcome.responses
        )
        lines.append("")
    cycle = 0
    for applied in outcome.applied:
        if applied.cycle != cycle:
            cycle = applied.cycle
            lines.append(f"Cycle {cycle}")
        decision = applied.decision
        ahead = " (ahead of the queue: S-REVOKE-FIRST)"
        lines.append(
            f"  [{decision.workspace}] event {decision.event_id}: "
            f"{decision.reason}{ahead if applied.expedited else ''}"
        )
    if not outcome.applied:
        lines.append("No event was applied.")
    lines.append("")

    lines.append("Workspaces")
    for status in outcome.workspaces:
        state = (
            "active"
            if status.held is None
            else f"held ({status.held.value.replace('_', ' ')})"
        )
        lines.append(
            f"  {status.id}: {state}, {status.queued} queued, "
            f"{status.parked} parked"
        )

    mail = outcome.state.mail
    lines.append(f"Mail: {len(mail)} invitation{'s' * (len(mail) != 1)}")
    lines.extend(f"  to {m.to}, to join {m.workspace}" for m in mail)
    escalations = outcome.state.escalations
    lines.append(f"Escalations to support: {len(escalations)}")
    lines.extend(
        f"  {e.email} in {e.workspace} (event {e.event_id}): "
        f"{e.reason.value.replace('_', ' ')}"
        for e in escalations
    )
    lines.append(f"Cycles run: {outcome.cycles}")
    return "\n".join(lines) + "\n"


def render(outcome: Outcome) -> dict[str, Any]:
    """
    The outcome in SPEC section 10's output form, ready for `json.dumps`.

    .. versionadded:: 0.1.0
    """
    state = outcome.state
    out = {
        "decisions": [
            {
                "event": applied.decision.event_id,
                "workspace": applied.decision.workspace,
                "cycle": applied.cycle,
                "standing": applied.decision.standing.value,
                "rules": list(applied.rules),
                "actions": [n.value for n in applied.decision.action_names],
                "escalations": [e.value for e in applied.decision.escalations],
                "skips": [s.value for s in applied.decision.skips],
                "reason": applied.decision.reason,
            }
            for applied in outcome.applied
        ],
        "accounts": [_account(account) for account in state.accounts],
        "invitations": [
            {
                "workspace": invitation.workspace,
                "email": invitation.email.address,
                "role": invitation.role.value,
                "status": invitation.status.value,
            }
            for invitation in state.invitations.values()
        ],
        "mail": [
            {"to": mail.to, "kind": mail.kind, "workspace": mail.workspace}
            for mail in state.mail
        ],
        "escalations": [
            {
                "event": record.event_id,
                "workspace": record.workspace,
                "email": record.email,
                "reason": record.reason.value,
            }
            for record in state.escalations
        ],
        "workspaces": [
            {
                "id": status.id,
                "status": "active" if status.held is None else "held",
                "queued": status.queued,
                "parked": status.parked,
                **(
                    {}
                    if status.held is None
                    else {"reason": status.held.value}
                ),
            }
            for status in outcome.workspaces
        ],
        "cycles": outcome.cycles,
    }
    if outcome.responses:
        out["responses"] = [
            {
                "request": reply.request,
                "workspace": reply.workspace,
                "status": reply.status,
                **(
                    {}
                    if reply.detail is None
                    else {"scimType": reply.scim_type, "detail": reply.detail}
                ),
            }
            for reply in outcome.responses
        ]
    return out


def _account(account: Account) -> dict[str, Any]:
    return {
        "email": account.email.address,
        "first_name": account.profile.first_name,
        "last_name": account.profile.last_name,
        "department": account.profile.department,
        "title": account.profile.title,
        "workspace": account.workspace,
        "status": account.status.value,
        "role": None if account.role is None else account.role.value,
        "directory_id": None if account.link is None else account.link.user_id,
        "created_by": account.created_by,
    }
