"""
The knobs a host can turn, with the defaults SPEC gives.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import timedelta

import attrs


class EmailPolicy(enum.Enum):
    """
    When an email change from the directory is applied (SPEC section 6).

    .. versionadded:: 0.1.0
    """

    #: Apply every email change that passes the other guards. This is what
    #: the source feature does.
    ALWAYS = "always"
    #: Also refuse (escalate) an email change to an account that this
    #: workspace did not create and whose old and new domains it has not
    #: claimed (G-EMAIL-UNOWNED). Closes an account-takeover path.
    GUARDED = "guarded"


def _positive(
    instance: object, attribute: attrs.Attribute[int], value: int
) -> None:
    if value < 1:
        raise ValueError(f"{attribute.name} must be at least 1, not {value}")


def _positive_interval(
    instance: object, attribute: attrs.Attribute[timedelta], value: timedelta
) -> None:
    if value <= timedelta(0):
        raise ValueError(f"interval must be positive, not {value}")


def _names(names: Iterable[str]) -> frozenset[str]:
    if isinstance(names, str):
        raise TypeError("admin_groups is a collection of names, not a str")
    return frozenset(names)


@attrs.frozen
class Policy:
    """
    How dirsync decides and schedules.

    Args:
        interval: Time between scheduler cycles (SPEC section 8).
        batch_limit: Most events one workspace consumes in one cycle.
        max_attempts: Attempts at a failing event before it is parked.
        revoke_first: S-REVOKE-FIRST: deprovisioning skips the queue.
        email_changes: When directory email changes are applied.
        admin_groups: Directory groups whose members are admins of the
            workspace, by display name (in any case) or by id; joining or
            leaving one is a role change (SPEC section 9).

    Raises:
        ValueError: A limit is not positive.

    .. versionadded:: 0.1.0
    """

    interval: timedelta = attrs.field(
        default=timedelta(minutes=5), validator=_positive_interval
    )
    batch_limit: int = attrs.field(default=100, validator=_positive)
    max_attempts: int = attrs.field(default=5, validator=_positive)
    revoke_first: bool = True
    email_changes: EmailPolicy = EmailPolicy.ALWAYS
    admin_groups: frozenset[str] = attrs.field(
        default=frozenset(), converter=_names
    )


#: The policy SPEC describes.
DEFAULT_POLICY = Policy()
