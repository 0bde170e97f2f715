"""
The ``dirsync`` command line.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from ._errors import InvalidScenario
from ._scenario import load_scenario, render
from ._simulate import simulate
from ._story import tell


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dirsync",
        description="Directory sync for multi-tenant products.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    replay = commands.add_parser(
        "replay",
        help="run scenario files through the rules and print the outcome",
        description=(
            "Replay scenario files (SPEC section 10) and print each "
            "outcome: JSON by default, or a story to read."
        ),
    )
    replay.add_argument(
        "scenarios",
        nargs="+",
        metavar="SCENARIO.json",
        help="a scenario file, or - for standard input",
    )
    replay.add_argument(
        "--format",
        choices=("json", "text"),
        default="json",
        help="json (SPEC's output form) or text (default: json)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the command line; return the exit status.

    0 on success, 2 on invalid input (the reason goes to standard
    error).
    """
    args = _parser().parse_args(argv)
    outputs: list[str] = []
    # Read and check every file first: nothing is printed for a run in
    # which any input is invalid.
    for name in args.scenarios:
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text()
        except (OSError, UnicodeDecodeError) as e:
            print(f"dirsync: cannot read {name}: {e}", file=sys.stderr)
            return 2
        try:
            scenario = load_scenario(text)
            outcome = simulate(
                scenario.state, scenario.events, scenario.policy
            )
        except InvalidScenario as e:
            print(f"dirsync: {name}: {e}", file=sys.stderr)
            return 2
        if args.format == "json":
            outputs.append(json.dumps(render(outcome), indent=2))
        else:
            outputs.append(tell(outcome, title=name))
    print("\n".join(outputs))
    return 0
