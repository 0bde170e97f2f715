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
from ._report import render, tell
from ._scenario import load_scenario
from ._simulate import simulate


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
        # Bytes, not text: JSON is UTF-8 whatever the locale says, and
        # load_scenario decodes it (and refuses what does not decode).
        try:
            data = (
                sys.stdin.buffer.read()
                if name == "-"
                else Path(name).read_bytes()
            )
        except OSError as e:
            print(f"dirsync: cannot read {name}: {e}", file=sys.stderr)
            return 2
        try:
            scenario = load_scenario(data)
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
    _write("\n".join(outputs) + "\n")
    return 0


def _write(text: str) -> None:
    """
    Write *text* to standard output as UTF-8, whatever the locale: names
    and internationalised domains must not crash an ASCII terminal.
    """
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:
        sys.stdout.write(text)
    else:
        sys.stdout.flush()
        stream.write(text.encode())
        stream.flush()
