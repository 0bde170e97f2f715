"""
What passes between the host's web framework and the endpoint: a SCIM
request in, a SCIM response out, as plain values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._json import dumps

#: The media type of SCIM bodies (RFC 7644 section 3.1).
MEDIA_TYPE = "application/scim+json"


@attrs.frozen
class ScimRequest:
    """
    A SCIM request, as the host's web framework received it.

    Args:
        method: The HTTP method, in any case.
        path: The path below the SCIM base URL, such as ``/Users`` or
            ``/Groups/9f1c``.
        workspace: The workspace the bearer token belongs to.
        query: The raw query string, without the ``?``.
        body: The raw body.

    .. versionadded:: 0.1.0
    """

    method: str
    path: str
    workspace: str
    query: str = ""
    body: bytes = b""


@attrs.frozen
class ScimResponse:
    """
    What to send back.

    Args:
        status: The HTTP status.
        body: The JSON body, or None for an empty one (204).
        location: The ``Location`` header, for a created resource.

    .. versionadded:: 0.1.0
    """

    status: int
    body: Mapping[str, Any] | None = None
    location: str | None = None

    @property
    def headers(self) -> list[tuple[str, str]]:
        """
        The response headers: the SCIM media type when there is a body,
        and ``Location`` when a resource was created.
        """
        out = []
        if self.body is not None:
            out.append(("Content-Type", f"{MEDIA_TYPE}; charset=utf-8"))
        if self.location is not None:
            out.append(("Location", self.location))
        return out

    def content(self) -> bytes:
        """
        The body, encoded.
        """
        return b"" if self.body is None else dumps(self.body)
