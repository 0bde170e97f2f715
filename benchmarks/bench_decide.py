"""
How fast `dirsync.decide` is, on a realistic mix of events.

Prints decisions per second (the median of several runs, each on one
core) and, measured in the same runs, how `decide` compares with two
dict lookups:

- a memo table keyed by the same inputs, ``memo[(event, situation)]``:
  what answering from a precomputed table of decisions would cost;
- the rule table alone, ``rules[(kind, standing, owner, linked)]`` with
  the key already built: the floor of any table-driven decider.

Run it with ``make bench`` or ``python benchmarks/bench_decide.py``.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from workload import events, product

from dirsync import (
    Decision,
    DirectoryEvent,
    Situation,
    UserCreated,
    UserDeleted,
    decide,
)

Pair = tuple[DirectoryEvent, Situation]
RuleKey = tuple[str, object, bool, bool]


def workload(count: int) -> list[Pair]:
    """
    Events of the realistic mix, each with the situation a store would
    load for it from the same product.
    """
    state = product()
    return [(event, state.situate(event)) for event in events(count)]


def _timed_decide(pairs: list[Pair]) -> float:
    start = time.perf_counter()
    for event, situation in pairs:
        decide(event, situation)
    return time.perf_counter() - start


def _timed_memo(pairs: list[Pair], memo: dict[Pair, Decision]) -> float:
    start = time.perf_counter()
    for event, situation in pairs:
        memo[event, situation]
    return time.perf_counter() - start


def _timed_rule_table(keys: list[RuleKey], table: dict[RuleKey, int]) -> float:
    start = time.perf_counter()
    for key in keys:
        table[key]
    return time.perf_counter() - start


def _rule_key(
    event: DirectoryEvent, situation: Situation
) -> tuple[str, object, bool, bool]:
    if isinstance(event, UserDeleted) or not event.user.active:
        kind = "deprovision"
    elif isinstance(event, UserCreated):
        kind = "provision"
    else:
        kind = "update"
    return (kind, situation.standing, situation.is_owner, situation.linked)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    pairs = workload(args.events)
    memo = {pair: decide(*pair) for pair in pairs}
    keys = [_rule_key(*pair) for pair in pairs]
    table = {key: n for n, key in enumerate(set(keys))}
    mix = Counter(
        d.rules[0] if d.rules else d.skips[0].value for d in memo.values()
    )

    decide_times, memo_times, table_times = [], [], []
    gc.disable()
    try:
        for _ in range(args.runs):
            decide_times.append(_timed_decide(pairs))
            memo_times.append(_timed_memo(pairs, memo))
            table_times.append(_timed_rule_table(keys, table))
    finally:
        gc.enable()

    n = len(pairs)
    t_decide = statistics.median(decide_times)
    t_memo = statistics.median(memo_times)
    t_table = statistics.median(table_times)
    print(f"decide: {n:,} events of a realistic mix, median of {args.runs}")
    print(
        "  rules fired: "
        + ", ".join(f"{r} {c / n:.0%}" for r, c in mix.most_common())
    )
    print(
        f"  decide        {n / t_decide:>12,.0f} decisions/s"
        f"  ({t_decide / n * 1e6:.2f} us each; target >= 250,000/s)"
    )
    print(
        f"  memo lookup   {n / t_memo:>12,.0f} lookups/s"
        f"    decide / memo lookup = {t_decide / t_memo:.1f}x"
        " (target <= 12x)"
    )
    print(
        f"  rule lookup   {n / t_table:>12,.0f} lookups/s"
        f"    decide / rule lookup = {t_decide / t_table:.1f}x"
    )


if __name__ == "__main__":
    main()
