"""
Per-workspace bearer tokens: issue, rotate, revoke, rebuild, and refuse
without saying too much.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dirsync.scim import InvalidProvisioningEvent
from dirsync.tokens import (
    MAX_TOKENS_PER_WORKSPACE,
    WWW_AUTHENTICATE,
    TokenRecord,
    TokenRegistry,
)


def _refused(registry: TokenRegistry, header: str | None) -> str:
    with pytest.raises(InvalidProvisioningEvent) as info:
        registry.authenticate(header)
    assert info.value.status == 401
    assert info.value.scim_type is None
    return info.value.detail


def test_issued_token_authenticates_its_workspace() -> None:
    """
    A token works for its workspace only, with 256 bits of secret and
    the scheme in any case.
    """
    registry = TokenRegistry()
    acme = registry.issue("acme")
    globex = registry.issue("globex")
    prefix, token_id, secret = acme.split("_", 2)

    assert prefix == "dsync"
    assert len(token_id) == 16
    assert len(secret) == 43  # 32 bytes in base64url
    assert registry.authenticate(f"Bearer {acme}") == "acme"
    assert registry.authenticate(f"bearer {acme}") == "acme"
    assert registry.authenticate(f"  BEARER   {acme}  ") == "acme"
    assert registry.authenticate(f"Bearer {globex}") == "globex"
    assert WWW_AUTHENTICATE.startswith("Bearer ")


def test_rotation_keeps_two_and_drops_the_oldest() -> None:
    """
    A workspace has up to two valid tokens; a third drops the oldest,
    and other workspaces are not touched.
    """
    registry = TokenRegistry()
    other = registry.issue("globex")
    first = registry.issue("acme")
    second = registry.issue("acme")

    assert registry.authenticate(f"Bearer {first}") == "acme"
    assert registry.authenticate(f"Bearer {second}") == "acme"

    third = registry.issue("acme")

    _refused(registry, f"Bearer {first}")
    assert registry.authenticate(f"Bearer {second}") == "acme"
    assert registry.authenticate(f"Bearer {third}") == "acme"
    assert registry.authenticate(f"Bearer {other}") == "globex"
    assert [r.workspace for r in registry.records].count("acme") == (
        MAX_TOKENS_PER_WORKSPACE
    )


def test_revocation() -> None:
    """
    `revoke` stops one token of the named workspace and no other;
    `revoke_all` stops all of a workspace's.
    """
    registry = TokenRegistry()
    first = registry.issue("acme")
    second = registry.issue("acme")
    other = registry.issue("globex")
    first_id = first.split("_")[1]

    assert not registry.revoke("globex", first_id)
    assert not registry.revoke("acme", "0" * 16)
    assert registry.revoke("acme", first_id)
    assert not registry.revoke("acme", first_id)
    _refused(registry, f"Bearer {first}")
    assert registry.authenticate(f"Bearer {second}") == "acme"

    assert registry.revoke_all("acme") == 1
    assert registry.revoke_all("acme") == 0
    _refused(registry, f"Bearer {second}")
    assert registry.authenticate(f"Bearer {other}") == "globex"

    # Rotation goes on as before after a revocation.
    again = [registry.issue("acme") for _ in range(3)]
    assert [registry.authenticate(f"Bearer {t}") for t in again[1:]] == [
        "acme",
        "acme",
    ]


def test_rebuilt_registry_authenticates_the_same_tokens() -> None:
    """
    A registry built from `records` accepts the same tokens, refuses
    the revoked ones, and goes on numbering and rotating after them.
    """
    registry = TokenRegistry()
    kept = registry.issue("acme")
    dropped = registry.issue("globex")
    registry.revoke_all("globex")
    newer = registry.issue("acme")

    rebuilt = TokenRegistry(reversed(registry.records))

    assert rebuilt.records == registry.records
    assert rebuilt.authenticate(f"Bearer {kept}") == "acme"
    assert rebuilt.authenticate(f"Bearer {newer}") == "acme"
    _refused(rebuilt, f"Bearer {dropped}")
    rebuilt.issue("acme")
    _refused(rebuilt, f"Bearer {kept}")
    assert rebuilt.records[-1].serial > registry.records[-1].serial


REVOKED_REGISTRY = TokenRegistry()
_REVOKED = REVOKED_REGISTRY.issue("globex")
_VALID = REVOKED_REGISTRY.issue("acme")
REVOKED_REGISTRY.revoke_all("globex")
_ID = _VALID.split("_")[1]
# The valid token with its last character changed.
_ALTERED = _VALID[:-1] + ("B" if _VALID.endswith("A") else "A")


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        (None, "no Authorization header"),
        ("", "no Authorization header"),
        ("   ", "no Authorization header"),
        (f"Basic {_VALID}", "must use the Bearer scheme"),
        (_VALID, "must use the Bearer scheme"),
        ("Bearer", "holds no Bearer token"),
        ("Bearer    ", "holds no Bearer token"),
        ("Bearer abc", "malformed"),
        (f"Bearer {_VALID}x", "malformed"),
        (f"Bearer {_VALID.upper()}", "malformed"),
        (f"Bearer {_VALID} {_VALID}", "malformed"),
        (f"Bearer {_REVOKED}", "not valid: unknown or revoked"),
        (f"Bearer {_ALTERED}", "not valid: unknown or revoked"),
        (f"Bearer dsync_{'0' * 16}_{_VALID[-43:]}", "not valid"),
    ],
)
def test_refusals_say_what_but_not_whose(
    header: str | None, fragment: str
) -> None:
    """
    Every refusal is a 401 with a detail that says what is wrong with
    the header, and never echoes the token, its id or a workspace.
    """
    detail = _refused(REVOKED_REGISTRY, header)

    assert fragment in detail
    assert _ID not in detail
    assert "acme" not in detail
    assert "globex" not in detail


def _record(**changes: Any) -> TokenRecord:
    fields: dict[str, Any] = {
        "workspace": "acme",
        "token_id": "0" * 16,
        "digest": hashlib.sha256(b"x").hexdigest(),
        "serial": 0,
    }
    return TokenRecord(**{**fields, **changes})


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"workspace": ""}, "non-empty str"),
        ({"workspace": 7}, "non-empty str"),
        ({"token_id": "ABCDEF0123456789"}, "token_id must match"),
        ({"token_id": None}, "token_id must match"),
        ({"digest": "0" * 63}, "digest must match"),
        ({"serial": -1}, "at least 0"),
        ({"serial": True}, "at least 0"),
    ],
)
def test_records_refuse_a_bad_form(
    changes: dict[str, Any], fragment: str
) -> None:
    """
    Records read back from the host's storage must have the form they
    were written in.
    """
    with pytest.raises(ValueError, match=fragment):
        _record(**changes)


@pytest.mark.parametrize(
    ("records", "fragment"),
    [
        ([_record(), _record(serial=1)], "token id 0{16} appears twice"),
        ([_record(), _record(token_id="1" * 16)], "serial 0 appears twice"),
        (
            [_record(token_id=f"{i}" * 16, serial=i) for i in range(3)],
            "'acme' has more than 2 tokens",
        ),
    ],
)
def test_registry_refuses_inconsistent_records(
    records: list[TokenRecord], fragment: str
) -> None:
    """
    Records that no registry could have written are the host's mistake.
    """
    with pytest.raises(ValueError, match=fragment):
        TokenRegistry(records)


@pytest.mark.parametrize("workspace", ["", None, 3])
def test_issue_needs_a_workspace(workspace: Any) -> None:
    """
    Issuing for no workspace is the host's mistake.
    """
    with pytest.raises(ValueError, match="non-empty str"):
        TokenRegistry().issue(workspace)


def test_issue_never_reuses_an_id(monkeypatch: pytest.MonkeyPatch) -> None:
    """
    Should the random id clash with a held one, another is drawn.
    """
    registry = TokenRegistry()
    first = registry.issue("acme")
    ids = iter([first.split("_")[1], "f" * 16])
    monkeypatch.setattr(secrets, "token_hex", lambda n: next(ids))

    second = registry.issue("globex")

    assert second.split("_")[1] == "f" * 16
    assert registry.authenticate(f"Bearer {first}") == "acme"
    assert registry.authenticate(f"Bearer {second}") == "globex"


def test_registry_is_safe_to_share_between_threads() -> None:
    """
    Issuing from many threads loses no token and breaks no rotation.
    """
    registry = TokenRegistry()
    issued: list[str] = []

    def work(n: int) -> None:
        for _ in range(20):
            issued.append(registry.issue(f"ws{n}"))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(registry.records) == 16
    assert len({r.serial for r in registry.records}) == 16
    assert "16 tokens" in repr(registry)


@given(
    st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=8).flatmap(
        lambda ws: st.lists(st.sampled_from(ws), max_size=12)
    )
)
def test_records_hold_no_token(workspaces: list[str]) -> None:
    """
    Whatever is issued, no token appears in the records or their repr,
    and the registry rebuilt from them accepts the valid ones.
    """
    registry = TokenRegistry()
    issued = [(w, registry.issue(w)) for w in workspaces]
    records = registry.records
    stored = (
        repr(records)
        + repr(registry)
        + repr([attrs.asdict(r) for r in records])
    )

    rebuilt = TokenRegistry(records)
    for workspace, token in issued:
        assert token not in stored
        assert token.split("_", 2)[2] not in stored
        held = [r.token_id for r in records if r.workspace == workspace]
        if token.split("_")[1] in held:
            assert rebuilt.authenticate(f"Bearer {token}") == workspace
        else:
            _refused(rebuilt, f"Bearer {token}")
