"""
Per-workspace bearer tokens for the SCIM endpoint.

Each workspace gets its own token to paste into its identity provider
(Okta's and Entra ID's SCIM apps both send ``Authorization: Bearer
<token>``).
The token says which workspace a request is for, so one endpoint URL
serves them all.

A host wires it in three steps:

1. At start-up, build a `TokenRegistry` from the records it stored, and
   store ``registry.records`` again after every `TokenRegistry.issue`,
   `TokenRegistry.revoke` or `TokenRegistry.revoke_all`.
   The records hold only SHA-256 digests, never a token.
2. On each SCIM request, call
   ``registry.authenticate(request.headers.get("Authorization"))`` before
   anything else, and hand the workspace it returns to the SCIM
   endpoint.
   Never take the workspace from the URL or the body.
3. If it raises `InvalidProvisioningEvent` (always status 401), answer
   with ``error.body()`` as the SCIM error body and the header
   ``WWW-Authenticate: Bearer realm="scim"`` (`WWW_AUTHENTICATE`), as
   RFC 6750 section 3 and RFC 7644 section 2 ask.

To rotate, issue a second token, put it into the identity provider, and
revoke the first (or issue again later: a workspace keeps at most two
valid tokens, and a third drops the oldest).

This module is part of the shell: it draws randomness from `secrets`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

import attrs

from .scim._errors import InvalidProvisioningEvent

__all__ = [
    "MAX_TOKENS_PER_WORKSPACE",
    "WWW_AUTHENTICATE",
    "TokenRecord",
    "TokenRegistry",
]

#: How many valid tokens a workspace may have at once: two, so that a
#: new one can be rolled out before the old one is revoked.
MAX_TOKENS_PER_WORKSPACE = 2

#: The ``WWW-Authenticate`` header value to send with every 401.
WWW_AUTHENTICATE = 'Bearer realm="scim"'

# dsync_<16 hex digits of id>_<43 base64url characters of secret>.  The
# id cannot hold "_", so the secret may.  32 random bytes are 256 bits.
_ID_BYTES = 8
_SECRET_BYTES = 32
_TOKEN = re.compile(r"dsync_([0-9a-f]{16})_[A-Za-z0-9_-]{43}")
_ID = re.compile(r"[0-9a-f]{16}")
_DIGEST = re.compile(r"[0-9a-f]{64}")

# Compared against when the id is unknown, so that an unknown id costs
# the same as a wrong secret.
_NO_DIGEST = "0" * 64


def _matches(
    pattern: re.Pattern[str],
) -> Callable[[Any, attrs.Attribute[str], str], None]:
    def check(
        instance: object, attribute: attrs.Attribute[str], value: str
    ) -> None:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            msg = f"{attribute.name} must match {pattern.pattern}"
            raise ValueError(msg)

    return check


def _workspace(
    instance: object, attribute: attrs.Attribute[str], value: str
) -> None:
    _check_workspace(value)


def _check_workspace(workspace: str) -> None:
    if not isinstance(workspace, str) or not workspace:
        msg = f"a workspace must be a non-empty str, not {workspace!r}"
        raise ValueError(msg)


def _serial(
    instance: object, attribute: attrs.Attribute[int], value: int
) -> None:
    if type(value) is not int or value < 0:
        msg = f"serial must be an int of at least 0, not {value!r}"
        raise ValueError(msg)


@attrs.frozen
class TokenRecord:
    """
    What is stored of one issued token: never the token itself.

    Args:
        workspace: The workspace the token authenticates.
        token_id: The token's public id, 16 lowercase hex digits; it is
            part of the token and finds its record.
        digest: The SHA-256 digest of the whole token, in lowercase hex.
        serial: The order of issue across the registry; the lowest of a
            workspace is its oldest token.

    Raises:
        ValueError: A field does not have the form above.

    .. versionadded:: 0.1.0
    """

    workspace: str = attrs.field(validator=_workspace)
    token_id: str = attrs.field(validator=_matches(_ID))
    digest: str = attrs.field(validator=_matches(_DIGEST))
    serial: int = attrs.field(validator=_serial)


class TokenRegistry:
    """
    The valid bearer tokens of every workspace, by digest.

    It is safe to share between threads.

    Args:
        records: What `records` returned before, to carry on from.

    Raises:
        ValueError: Two records share a token id or a serial, or a
            workspace has more than `MAX_TOKENS_PER_WORKSPACE` records.

    .. versionadded:: 0.1.0
    """

    def __init__(self, records: Iterable[TokenRecord] = ()) -> None:
        self._lock = threading.Lock()
        # Two indexes of the same records: by token id to authenticate,
        # by workspace (oldest first) to rotate and revoke.
        self._by_id: dict[str, TokenRecord] = {}
        self._by_workspace: dict[str, list[TokenRecord]] = {}

        serials: set[int] = set()
        for record in sorted(records, key=lambda r: r.serial):
            if record.token_id in self._by_id:
                msg = f"token id {record.token_id} appears twice"
                raise ValueError(msg)
            if record.serial in serials:
                msg = f"serial {record.serial} appears twice"
                raise ValueError(msg)
            held = self._by_workspace.setdefault(record.workspace, [])
            if len(held) == MAX_TOKENS_PER_WORKSPACE:
                msg = (
                    f"workspace {record.workspace!r} has more than "
                    f"{MAX_TOKENS_PER_WORKSPACE} tokens"
                )
                raise ValueError(msg)
            held.append(record)
            self._by_id[record.token_id] = record
            serials.add(record.serial)
        self._next_serial = max(serials, default=-1) + 1

    def __repr__(self) -> str:
        return f"<TokenRegistry with {len(self._by_id)} tokens>"

    @property
    def records(self) -> tuple[TokenRecord, ...]:
        """
        Every valid token's record, oldest first, for the host to store.

        .. versionadded:: 0.1.0
        """
        with self._lock:
            return tuple(sorted(self._by_id.values(), key=lambda r: r.serial))

    def issue(self, workspace: str) -> str:
        """
        A new token for *workspace*.

        Show it to the administrator once: only its digest is kept.
        If the workspace already has `MAX_TOKENS_PER_WORKSPACE` tokens,
        the oldest stops working.

        Args:
            workspace: The workspace the token is for.

        Returns:
            The token, such as ``dsync_<id>_<secret>``, with 256 bits of
            secret.

        Raises:
            ValueError: *workspace* is not a non-empty str.

        .. versionadded:: 0.1.0
        """
        _check_workspace(workspace)
        with self._lock:
            # 1. An id that is not taken; with 64 random bits a clash
            # is all but impossible, but it would be silent.
            token_id = secrets.token_hex(_ID_BYTES)
            while token_id in self._by_id:
                token_id = secrets.token_hex(_ID_BYTES)

            # 2. The token, of which only the digest is kept.
            secret = secrets.token_urlsafe(_SECRET_BYTES)
            token = f"dsync_{token_id}_{secret}"
            record = TokenRecord(
                workspace=workspace,
                token_id=token_id,
                digest=_digest(token),
                serial=self._next_serial,
            )
            self._next_serial += 1
            self._by_id[token_id] = record
            held = self._by_workspace.setdefault(workspace, [])
            held.append(record)

            # 3. Rotation: drop the oldest beyond the limit.
            while len(held) > MAX_TOKENS_PER_WORKSPACE:
                del self._by_id[held.pop(0).token_id]
            return token

    def revoke(self, workspace: str, token_id: str) -> bool:
        """
        Stop the token *token_id* of *workspace* from working.

        Args:
            workspace: The workspace the token belongs to.
            token_id: The id from the token or its record.

        Returns:
            Whether there was such a token of that workspace; a token of
            another workspace is left alone.

        .. versionadded:: 0.1.0
        """
        with self._lock:
            record = self._by_id.get(token_id)
            if record is None or record.workspace != workspace:
                return False
            del self._by_id[token_id]
            self._by_workspace[workspace].remove(record)
            return True

    def revoke_all(self, workspace: str) -> int:
        """
        Stop every token of *workspace* from working, as when the
        workspace turns SCIM off or a token leaked.

        Returns:
            How many tokens were revoked.

        .. versionadded:: 0.1.0
        """
        with self._lock:
            held = self._by_workspace.pop(workspace, [])
            for record in held:
                del self._by_id[record.token_id]
            return len(held)

    def authenticate(self, authorization: str | None) -> str:
        """
        The workspace that the ``Authorization`` header's token belongs
        to.

        The scheme name is matched in any case (RFC 7235 section 2.1).
        Error details never say whether a token id exists, nor which
        workspace has one.

        Args:
            authorization: The header's value, or None if the request
                has none.

        Returns:
            The workspace id.

        Raises:
            InvalidProvisioningEvent: Status 401: the header is missing,
                is not of the Bearer scheme, holds no token or a
                malformed one, or the token is unknown or revoked.

        .. versionadded:: 0.1.0
        """
        # 1. The header and its scheme.  Nothing of what was sent is
        # echoed: a misplaced secret must not reach a log.
        if authorization is None or not authorization.strip():
            _refuse(
                "the request has no Authorization header; send "
                '"Authorization: Bearer <token>"'
            )
        scheme, _, credentials = authorization.strip().partition(" ")
        if scheme.lower() != "bearer":
            _refuse(
                "the Authorization header must use the Bearer scheme "
                "(RFC 6750)"
            )
        token = credentials.strip()
        if not token:
            _refuse("the Authorization header holds no Bearer token")

        # 2. The token's form.
        match = _TOKEN.fullmatch(token)
        if match is None:
            _refuse(
                "the Bearer token is malformed: dirsync tokens look like "
                "dsync_<id>_<secret>"
            )

        # 3. Its digest, compared in constant time whether or not the
        # id is known.
        with self._lock:
            record = self._by_id.get(match.group(1))
        expected = _NO_DIGEST if record is None else record.digest
        if not hmac.compare_digest(expected, _digest(token)) or (
            record is None
        ):
            _refuse("the Bearer token is not valid: unknown or revoked")
        return record.workspace


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _refuse(detail: str) -> NoReturn:
    raise InvalidProvisioningEvent(401, detail)
