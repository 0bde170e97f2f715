"""
Every rule is reachable by the generated inputs that the property tests
explore, so the properties cover every rule.
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from dirsync import (
    RULES,
    DirectoryEvent,
    Policy,
    Situation,
    State,
    decide,
    simulate,
)
from dirsync._rules import Trigger
from tests import strategies as s


def _explore(examples: int) -> settings:
    """
    A fixed, generate-only search: it collects what fires, and there is
    no failure to shrink.
    """
    return settings(
        max_examples=examples,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )


def test_generated_situations_reach_every_decided_rule() -> None:
    """
    Across the events, situations and policies the properties draw from,
    every rule that `decide` applies fires at least once.
    """
    seen: set[str] = set()

    @_explore(4_000)
    @given(s.events(st.just("acme")), s.situations(), s.policies)
    def explore(
        event: DirectoryEvent, situation: Situation, policy: Policy
    ) -> None:
        seen.update(decide(event, situation, policy).rules)

    explore()

    decided = {r.id for r in RULES if r.trigger is not Trigger.SCHEDULE}
    assert decided - seen == set()


def test_generated_worlds_reach_revoke_first() -> None:
    """
    Across the worlds the scheduling properties draw from, S-REVOKE-FIRST
    expedites events, and most other rules fire too.
    """
    seen: set[str] = set()

    @_explore(500)
    @given(s.worlds(max_events=12), s.policies)
    def explore(
        world: tuple[State, list[DirectoryEvent]], policy: Policy
    ) -> None:
        for applied in simulate(*world, policy).applied:
            seen.update(applied.rules)

    explore()

    assert "S-REVOKE-FIRST" in seen
    assert len(seen) >= len(RULES) * 3 // 4
