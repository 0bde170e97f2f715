"""
The documentation says what the code does.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import dirsync
from dirsync import RULES
from dirsync._rulesdoc import render

ROOT = Path(__file__).parent.parent.parent
DOCS = ROOT / "docs"


def test_rules_page_is_generated_from_the_table() -> None:
    """
    docs/rules.md is exactly what `make docs` renders from the table.
    """
    page = (DOCS / "rules.md").read_text()

    assert page == render(), "run `make docs` to regenerate docs/rules.md"


def test_every_rule_is_documented_and_tested() -> None:
    """
    Each rule id appears in the rules page and in the example cases.
    """
    page = (DOCS / "rules.md").read_text()
    cases = (ROOT / "tests" / "rule_cases.py").read_text()

    for rule in RULES:
        assert f"`{rule.id}`" in page
        assert f'"{rule.id}"' in cases


def test_every_public_name_is_documented() -> None:
    """
    Every name exported from dirsync has a docstring and is on the API
    page.
    """
    page = (DOCS / "api.md").read_text()

    for name in dirsync.__all__:
        assert f"`{name}" in page, name
        value = getattr(dirsync, name)
        if callable(value) and not isinstance(value, type(dirsync)):
            assert getattr(value, "__doc__", None), name


def _python_blocks(path: Path) -> list[str]:
    text = path.read_text()
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


@pytest.mark.parametrize(
    "path",
    [ROOT / "README.md", *sorted(DOCS.glob("*.md"))],
    ids=lambda p: p.name,
)
def test_code_in_the_docs_runs(path: Path) -> None:
    """
    The Python blocks of a page run, in order, in one namespace.
    """
    namespace: dict[str, object] = {"__name__": "docs"}

    for block in _python_blocks(path):
        exec(compile(block, str(path), "exec"), namespace)
