"""
The outcome of a replay told as a story, for people to read.
"""

from __future__ import annotations

from ._simulate import Outcome


def tell(outcome: Outcome, title: str | None = None) -> str:
    """
    Describe *outcome* in plain sentences, cycle by cycle.

    .. versionadded:: 0.1.0
    """
    lines: list[str] = []
    if title:
        lines += [title, "=" * len(title), ""]
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
