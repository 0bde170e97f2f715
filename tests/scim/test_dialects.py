"""
Request sequences as Okta and Microsoft Entra ID send them, each ending
in the account state the product must reach.

The bodies follow the examples of:

- Okta: "SCIM 2.0 protocol reference" and "Build a SCIM provisioning
  integration" (developer.okta.com, docs/api/openapi/okta-scim and
  docs/guides/scim-provisioning-integration-connect), including Group
  Push.
- Microsoft: "Tutorial: Develop and plan provisioning for a SCIM
  endpoint in Microsoft Entra ID" (learn.microsoft.com,
  entra/identity/app-provisioning/use-scim-to-provision-users-and-groups),
  the request and response examples of its "User operations" and
  "Group operations" sections, and "Known issues and resolutions with
  SCIM 2.0 protocol compliance" for the older flag behaviour
  (``"active": "False"``, no-path dotted keys, ``members`` removal with a
  value list).
"""

from __future__ import annotations

from typing import Any

from dirsync import AccountStatus, Role, UserUpdated

from .harness import Harness, patch

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"


def okta_user(user_name: str, **more: Any) -> dict[str, Any]:
    """
    Okta's create body: note ``groups`` (read-only) and ``password``.
    """
    return {
        "schemas": [CORE_USER],
        "userName": user_name,
        "name": {"givenName": "Test", "familyName": "User"},
        "emails": [{"primary": True, "value": user_name, "type": "work"}],
        "displayName": "Test User",
        "locale": "en-US",
        "externalId": "00ujl29u0le5T6Aj10h7",
        "groups": [],
        "password": "1mz050nq",
        "active": True,
        **more,
    }


def test_okta_lifecycle() -> None:
    """
    Okta, for a member added by hand before Directory Sync: look up by
    userName, create (P-MEMBER links), read, deactivate with a no-path
    replace (D-MEMBER), reactivate (P-REACTIVATE), replace the whole
    user with PUT (U-PROFILE).
    """
    h = Harness()

    lookup = h.call(
        "GET",
        "/Users",
        query="filter=userName%20eq%20%22test.user%40acme.com%22"
        "&startIndex=1&count=100",
    )
    assert lookup.body is not None
    assert lookup.body["totalResults"] == 0

    created = h.call("POST", "/Users", okta_user("test.user@acme.com"))
    assert created.status == 201
    assert created.body is not None
    assert "password" not in created.body
    ident = created.body["id"]
    h.sync()
    assert h.account("test.user@acme.com").status is AccountStatus.ACTIVE

    read = h.call("GET", f"/Users/{ident}")
    assert read.status == 200

    off = h.call(
        "PATCH",
        f"/Users/{ident}",
        patch({"op": "replace", "value": {"active": False}}),
    )
    assert off.status == 200
    assert off.body is not None
    assert off.body["active"] is False
    h.sync()
    assert h.account("test.user@acme.com").status is AccountStatus.DEACTIVATED

    on = h.call(
        "PATCH",
        f"/Users/{ident}",
        patch({"op": "replace", "value": {"active": True}}),
    )
    assert on.status == 200
    h.sync()
    assert h.account("test.user@acme.com").status is AccountStatus.ACTIVE

    body = read.body
    assert body is not None
    replaced = {
        **body,
        "name": {"givenName": "Tess", "familyName": "User"},
        "title": "Director",
    }
    put = h.call("PUT", f"/Users/{ident}", replaced)
    assert put.status == 200
    h.sync()
    account = h.account("test.user@acme.com")
    assert account.profile.first_name == "Tess"
    assert account.profile.title == "Director"


def test_okta_email_change_by_put() -> None:
    """
    Okta sends an email change as a PUT with the new userName and email;
    the account keeps its link and takes the new email (U-EMAIL).
    """
    h = Harness()
    ident = h.create(okta_user("old.name@acme.com"))
    h.sync()

    put = h.call(
        "PUT",
        f"/Users/{ident}",
        okta_user("new.name@acme.com", id=ident),
    )
    h.sync()

    assert put.status == 200
    account = h.account("new.name@acme.com")
    assert account.link is not None
    assert account.link.user_id == ident


def test_okta_group_push() -> None:
    """
    Okta Group Push: create the group, rename it repeating its read-only
    id, add a member, remove it with a filtered path, delete the group.
    With the group named as an admin group, the member's role follows.
    """
    h = Harness(admin_groups=["Acme Admins"])
    ident = h.create(okta_user("test.user@acme.com"))
    h.sync()

    made = h.call(
        "POST",
        "/Groups",
        {"schemas": [CORE_GROUP], "displayName": "Test SCIMv2", "members": []},
    )
    assert made.status == 201
    assert made.body is not None
    group = made.body["id"]

    renamed = h.call(
        "PATCH",
        f"/Groups/{group}",
        patch(
            {
                "op": "replace",
                "value": {"id": group, "displayName": "Acme Admins"},
            }
        ),
    )
    assert renamed.status == 200
    assert renamed.body is not None
    assert renamed.body["displayName"] == "Acme Admins"

    added = h.call(
        "PATCH",
        f"/Groups/{group}",
        patch(
            {
                "op": "add",
                "path": "members",
                "value": [{"value": ident, "display": "test.user@acme.com"}],
            }
        ),
    )
    assert added.status == 200
    h.sync()
    assert h.account("test.user@acme.com").role is Role.ADMIN

    removed = h.call(
        "PATCH",
        f"/Groups/{group}",
        patch({"op": "remove", "path": f'members[value eq "{ident}"]'}),
    )
    assert removed.status == 200
    h.sync()
    assert h.account("test.user@acme.com").role is Role.MEMBER

    assert h.call("DELETE", f"/Groups/{group}").status == 204
    assert h.call("GET", f"/Groups/{group}").status == 404


def entra_user(user_name: str, email: str, **more: Any) -> dict[str, Any]:
    """
    Entra's create body, with the enterprise extension.
    """
    return {
        "schemas": [CORE_USER, ENTERPRISE],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": user_name,
        "active": True,
        "emails": [{"primary": True, "type": "work", "value": email}],
        "meta": {"resourceType": "User"},
        "name": {
            "formatted": "Nina Ng",
            "familyName": "Ng",
            "givenName": "Nina",
        },
        "roles": [],
        ENTERPRISE: {"department": "R&D"},
        **more,
    }


def test_entra_lifecycle() -> None:
    """
    Entra, for a member added by hand: create with the enterprise
    extension, change the email and family name with filtered and dotted
    paths, move department through the extension URN path, disable with
    the string "False", enable with "True", and delete.
    """
    h = Harness()

    lookup = h.call(
        "GET", "/Users", query='filter=userName eq "nina.ng@acme.com"'
    )
    assert lookup.body is not None
    assert lookup.body["totalResults"] == 0

    ident = h.create(entra_user("nina.ng@acme.com", "nina.ng@acme.com"))
    h.sync()
    assert h.account("nina.ng@acme.com").profile.department == "R&D"

    changed = h.call(
        "PATCH",
        f"/Users/{ident}",
        patch(
            {
                "op": "Replace",
                "path": 'emails[type eq "work"].value',
                "value": "nina.li@acme.com",
            },
            {
                "op": "Replace",
                "path": "name.familyName",
                "value": "Li",
            },
            {
                "op": "Add",
                "path": f"{ENTERPRISE}:department",
                "value": "Sales",
            },
        ),
    )
    assert changed.status == 200, changed.body
    h.sync()
    account = h.account("nina.li@acme.com")
    assert account.profile.last_name == "Li"
    assert account.profile.department == "Sales"

    disabled = h.call(
        "PATCH",
        f"/Users/{ident}",
        patch({"op": "Replace", "path": "active", "value": "False"}),
    )
    assert disabled.status == 200
    assert disabled.body is not None
    assert disabled.body["active"] is False
    h.sync()
    assert h.account("nina.li@acme.com").status is AccountStatus.DEACTIVATED

    enabled = h.call(
        "PATCH",
        f"/Users/{ident}",
        patch({"op": "Replace", "path": "active", "value": "True"}),
    )
    assert enabled.status == 200
    h.sync()
    assert h.account("nina.li@acme.com").status is AccountStatus.ACTIVE

    assert h.call("DELETE", f"/Users/{ident}").status == 204
    h.sync()
    assert h.account("nina.li@acme.com").status is AccountStatus.DEACTIVATED


def test_entra_no_path_replace_with_dotted_and_urn_keys() -> None:
    """
    Entra's PATCH without a path, whose value holds dotted keys and
    URN-prefixed keys.
    """
    h = Harness()
    ident = h.create(entra_user("nina.ng@acme.com", "nina.ng@acme.com"))
    h.sync()

    response = h.call(
        "PATCH",
        f"/Users/{ident}",
        patch(
            {
                "op": "replace",
                "value": {
                    "name.givenName": "Nora",
                    "title": "Lead",
                    f"{ENTERPRISE}:department": "Ops",
                },
            }
        ),
    )
    h.sync()

    assert response.status == 200, response.body
    profile = h.account("nina.ng@acme.com").profile
    assert (profile.first_name, profile.title, profile.department) == (
        "Nora",
        "Lead",
        "Ops",
    )


def test_entra_profile_update_outside_claimed_domain_is_skipped() -> None:
    """
    A department change for a person whose email domain the workspace
    has not claimed is skipped (U-PROFILE), though the mirror has it.
    """
    h = Harness()
    ident = h.create(entra_user("guest@partner.io", "guest@partner.io"))
    h.sync()

    h.call(
        "PATCH",
        f"/Users/{ident}",
        patch(
            {
                "op": "Replace",
                "path": f"{ENTERPRISE}:department",
                "value": "Finance",
            }
        ),
    )
    [queued] = h.inbox.queued("acme")
    h.sync()

    assert isinstance(queued.event, UserUpdated)
    assert queued.event.user.profile.department == "Finance"
    assert h.account("guest@partner.io").profile.department == "R&D"


def test_entra_group_membership() -> None:
    """
    Entra: create a group, look it up excluding members, add a member
    (with Entra's extra ``name`` key on the operation), and remove it
    with the legacy ``"path": "members"`` and a value list, which removes
    only the listed members.
    """
    h = Harness(admin_groups=["Admins"])
    nina = h.create(entra_user("nina@acme.com", "nina@acme.com"))
    ivan = h.create(
        entra_user("ivan@acme.com", "ivan@acme.com", externalId="e-2")
    )
    h.sync()
    group = h.create(
        {
            "schemas": [CORE_GROUP],
            "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
            "displayName": "Admins",
            "meta": {"resourceType": "Group"},
        }
    )

    found = h.call(
        "GET",
        "/Groups",
        query='excludedAttributes=members&filter=displayName eq "Admins"',
    )
    assert found.body is not None
    assert found.body["totalResults"] == 1
    assert "members" not in found.body["Resources"][0]

    added = h.call(
        "PATCH",
        f"/Groups/{group}",
        patch(
            {
                "name": "addMember",
                "op": "Add",
                "path": "members",
                "value": [
                    {"displayName": "Nina", "value": nina},
                    {"displayName": "Ivan", "value": ivan},
                ],
            }
        ),
    )
    assert added.status in (200, 204), added.body
    h.sync()
    assert h.account("nina@acme.com").role is Role.ADMIN
    assert h.account("ivan@acme.com").role is Role.ADMIN

    removed = h.call(
        "PATCH",
        f"/Groups/{group}",
        patch(
            {
                "name": "removeMember",
                "op": "Remove",
                "path": "members",
                "value": [{"value": nina}],
            }
        ),
    )
    assert removed.status in (200, 204), removed.body
    h.sync()
    assert h.account("nina@acme.com").role is Role.MEMBER
    assert h.account("ivan@acme.com").role is Role.ADMIN

    read = h.call(
        "GET", f"/Groups/{group}", query="excludedAttributes=members"
    )
    assert read.body is not None
    assert "members" not in read.body
    full = h.call("GET", f"/Groups/{group}").body
    assert full is not None
    assert [m["value"] for m in full["members"]] == [ivan]


def test_attributes_parameter_projects_the_resource() -> None:
    """
    ``attributes`` returns only what was asked for, and always ``id``
    and ``schemas`` (RFC 7644 section 3.4.2.5).
    """
    h = Harness()
    ident = h.create(entra_user("nina@acme.com", "nina@acme.com"))

    body = h.call(
        "GET", f"/Users/{ident}", query="attributes=userName,name.givenName"
    ).body

    assert body is not None
    assert set(body) == {"schemas", "id", "userName", "name"}
    assert body["name"] == {"givenName": "Nina"}


def test_whole_extension_paths() -> None:
    """
    A path that is an extension's URN alone names the whole extension
    (RFC 7644 section 3.10): add merges into it, replace sets it, remove
    drops it; a ``schemas`` key inside the value is not an attribute.
    """
    h = Harness()
    ident = h.create(entra_user("nina@acme.com", "nina@acme.com"))

    added = h.call(
        "PATCH",
        f"/Users/{ident}",
        patch(
            {
                "op": "add",
                "path": ENTERPRISE,
                "value": {"schemas": [ENTERPRISE], "costCenter": "42"},
            }
        ),
    ).body
    replaced = h.call(
        "PATCH",
        f"/Users/{ident}",
        patch(
            {"op": "replace", "path": ENTERPRISE, "value": {"division": "EU"}}
        ),
    ).body
    removed = h.call(
        "PATCH",
        f"/Users/{ident}",
        patch({"op": "remove", "path": ENTERPRISE}),
    ).body
    again = h.call(
        "PATCH",
        f"/Users/{ident}",
        patch({"op": "remove", "path": ENTERPRISE}),
    )

    assert added is not None
    assert added[ENTERPRISE] == {"department": "R&D", "costCenter": "42"}
    assert replaced is not None
    assert replaced[ENTERPRISE] == {"division": "EU"}
    assert removed is not None
    assert ENTERPRISE not in removed
    assert ENTERPRISE not in removed["schemas"]
    assert again.status == 200


def test_excluded_extension_attributes() -> None:
    """
    ``excludedAttributes`` may name an extension's attribute by its full
    path; an extension left empty is not shown.
    """
    h = Harness()
    ident = h.create(entra_user("nina@acme.com", "nina@acme.com"))

    body = h.call(
        "GET",
        f"/Users/{ident}",
        query=f"excludedAttributes={ENTERPRISE}:department,name",
    ).body

    only = h.call(
        "GET", f"/Users/{ident}", query=f"attributes={ENTERPRISE}:department"
    ).body

    assert body is not None
    assert ENTERPRISE not in body
    assert "name" not in body
    assert body["userName"] == "nina@acme.com"
    assert only is not None
    assert only[ENTERPRISE] == {"department": "R&D"}
    assert "userName" not in only
