"""
The exceptions dirsync raises.

There is one base, `DirsyncError`.
Its children split by whose mistake it was: input that came from outside
(an identity provider, a scenario file) raises a subclass that carries the
offending value, while misuse of the API by the host raises the built-in
`ValueError` or `TypeError` as any Python library would.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs


class DirsyncError(Exception):
    """
    Base class of every error dirsync raises on purpose.

    .. versionadded:: 0.1.0
    """


@attrs.frozen(auto_exc=True, str=False)
class InvalidEmail(DirsyncError, ValueError):
    """
    A string that does not parse as an email address (or as an email
    domain).

    Args:
        value: The text that was given.
        why: What is wrong with it, in words.
        kind: What *value* was meant to be: ``"email address"`` or
            ``"domain"``.

    .. versionadded:: 0.1.0
    """

    value: str
    why: str
    kind: str = "email address"

    def __str__(self) -> str:
        return f"{self.value!r} is not a valid {self.kind}: {self.why}"


@attrs.frozen(auto_exc=True, str=False)
class InvalidScenario(DirsyncError, ValueError):
    """
    A scenario file (SPEC section 10) that cannot be replayed.

    Nothing of the scenario has been applied when this is raised.

    Args:
        where: A JSON path to the offending key or value, such as
            ``$.events[2].user.email``; ``$`` for the whole document.
        why: What is wrong there, and what is allowed instead.

    .. versionadded:: 0.1.0
    """

    where: str
    why: str

    def __str__(self) -> str:
        return f"{self.where}: {self.why}"


def json_type(value: object, *, array: str = "an array") -> str:
    """
    What kind of JSON value *value* is, in words for an error message:
    ``null``, ``a boolean``, ``a number``, ``a string``, ``an object``,
    or *array* (scenario files say "a list", SCIM says "an array").
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return array
    return type(value).__name__
