"""
Render ``docs/rules.md`` from the rules table.

Run ``python -m dirsync._rulesdoc > docs/rules.md`` (``make docs``); a
test fails when the page and the table disagree.
"""

from __future__ import annotations

from ._actions import ActionName
from ._rules import DEPROVISIONING, PROVISIONING, RULES, Condition, Trigger
from ._standing import Standing

#: Steps a decision leaves out when they would change nothing.
_CONDITIONAL = frozenset(
    (
        ActionName.LINK,
        ActionName.UPDATE_PROFILE,
        ActionName.SET_ROLE,
        ActionName.CHANGE_EMAIL,
    )
)

_SECTIONS = (
    (Trigger.PROVISION, "Provisioning (SPEC section 4)"),
    (Trigger.DEPROVISION, "Deprovisioning (SPEC section 5)"),
    (Trigger.UPDATE, "Updates (SPEC section 6)"),
    (Trigger.GUARD, "Guards (SPEC section 6)"),
    (Trigger.SCHEDULE, "Scheduling (SPEC section 8)"),
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _standings(standings: frozenset[Standing]) -> str:
    if standings == frozenset(Standing):
        return "any"
    return ", ".join(f"`{s.value}`" for s in Standing if s in standings)


def render() -> str:
    """
    The Markdown text of the rules page.
    """
    out = [
        "# Rules",
        "",
        "<!-- Generated from dirsync._rules by `make docs`; do not edit. -->",
        "",
        "Every decision names the rules below that fired, by id.",
        "The tables are rendered from `dirsync.RULES`, the same data",
        "`dirsync.decide` reads, so they cannot drift from the code.",
        "Steps in *italics* are left out of a decision when they would",
        "change nothing.",
        "",
    ]
    for trigger, title in _SECTIONS:
        out += [
            f"## {title}",
            "",
            "| rule | standing | condition | when | outcome | steps |",
            "|---|---|---|---|---|---|",
        ]
        for rule in RULES:
            if rule.trigger is not trigger:
                continue
            steps = [
                f"*`{step.value}`*"
                if step in _CONDITIONAL
                else f"`{step.value}`"
                for step in rule.steps
            ]
            if rule.escalation is not None:
                steps.append(f"reason `{rule.escalation.value}`")
            if rule.skip is not None:
                steps.append(f"skip `{rule.skip.value}`")
            condition = (
                "" if rule.condition is Condition.ANY else rule.condition.value
            )
            out.append(
                f"| `{rule.id}` | {_standings(rule.standings)} "
                f"| {condition} | {_cell(rule.when)} "
                f"| {_cell(rule.outcome)} | {' '.join(steps) or '-'} |"
            )
        out.append("")

    out += [
        "## How an event finds its rule",
        "",
        "```mermaid",
        "flowchart LR",
        "  E[event] -->|deleted or inactive| D{standing}",
        "  E -->|created, or reactivated| P{standing}",
        "  E -->|other update| U{linked?}",
        "  U -->|no| UU[U-UNKNOWN] --> P",
        "  U -->|yes, out of reach| UO[U-OUTSIDE]",
        "  U -->|yes, in reach| UC[U-EMAIL / U-PROFILE / U-ROLE]",
    ]
    for standing, rule in PROVISIONING.items():
        out.append(f"  P -->|{standing.value}| {_node(rule.id)}")
    seen: set[tuple[Standing, str]] = set()
    for (standing, _owner, _linked), rule in DEPROVISIONING.items():
        if (standing, rule.id) in seen:
            continue
        seen.add((standing, rule.id))
        out.append(f"  D -->|{standing.value}| {_node(rule.id)}")
    out += ["```", ""]
    return "\n".join(out)


def _node(rule_id: str) -> str:
    return f"{rule_id.replace('-', '_')}[{rule_id}]"


if __name__ == "__main__":
    print(render(), end="")
