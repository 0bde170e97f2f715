"""
SCIM errors: what went wrong with a request, as RFC 7644 section 3.12
tells a client.

Every problem with what an identity provider sent raises
`InvalidProvisioningEvent`, which carries the HTTP status and the
``scimType`` keyword the response must have.
The endpoint turns it into an error body; nothing has changed when it is
raised.
"""

from __future__ import annotations

import enum
from typing import Any

import attrs

from .._errors import DirsyncError

#: The schema URN of an error response (RFC 7644 section 3.12).
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


class ScimType(enum.Enum):
    """
    The ``scimType`` keywords of RFC 7644 section 3.12, table 9.

    .. versionadded:: 0.1.0
    """

    #: The filter syntax is wrong, or the filter is not supported.
    INVALID_FILTER = "invalidFilter"
    #: The request would return or touch more than the server allows.
    TOO_MANY = "tooMany"
    #: A value that must be unique (``userName``) is already used.
    UNIQUENESS = "uniqueness"
    #: The request tries to change a read-only or immutable attribute.
    MUTABILITY = "mutability"
    #: The body does not follow the protocol's syntax or schema.
    INVALID_SYNTAX = "invalidSyntax"
    #: The ``path`` of a PATCH operation is not a valid path.
    INVALID_PATH = "invalidPath"
    #: The ``path`` with a filter matched nothing to change.
    NO_TARGET = "noTarget"
    #: A value is of the wrong type, out of range or missing.
    INVALID_VALUE = "invalidValue"
    #: The protocol version is not supported.
    INVALID_VERSION = "invalidVers"
    #: The request holds information that must not be sent this way.
    SENSITIVE = "sensitive"


@attrs.frozen(auto_exc=True, str=False)
class InvalidProvisioningEvent(DirsyncError, ValueError):
    """
    A SCIM request from an identity provider that cannot be accepted.

    Nothing was changed, in the mirror or in the inbox, when this is
    raised.

    Args:
        status: The HTTP status of the response: 400 for bad input, 401,
            404, 405, 409, 413 and so on.
        detail: What is wrong, in words an administrator can act on.
        scim_type: The RFC 7644 keyword, where one applies (most 400s
            and 409s); None otherwise.

    .. versionadded:: 0.1.0
    """

    status: int
    detail: str
    scim_type: ScimType | None = None

    def __str__(self) -> str:
        kind = "" if self.scim_type is None else f" {self.scim_type.value}"
        return f"{self.status}{kind}: {self.detail}"

    def body(self) -> dict[str, Any]:
        """
        The SCIM error body for this error (RFC 7644 section 3.12).

        The status is a string there, as the RFC's examples have it.
        """
        out: dict[str, Any] = {
            "schemas": [ERROR_SCHEMA],
            "status": str(self.status),
            "detail": self.detail,
        }
        if self.scim_type is not None:
            out["scimType"] = self.scim_type.value
        return out


def bad_request(scim_type: ScimType, detail: str) -> InvalidProvisioningEvent:
    """
    A 400 error of the given kind.
    """
    return InvalidProvisioningEvent(400, detail, scim_type)
