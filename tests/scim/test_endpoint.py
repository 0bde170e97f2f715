"""
The endpoint core: routes, statuses, the mirror, and the events every
accepted change queues.
"""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dirsync import (
    InvitationStatus,
    Policy,
    Role,
    UserCreated,
    UserDeleted,
    UserUpdated,
)
from dirsync.scim import AttributeMapping, ResourceKind, Settings

from .harness import BASE, Harness, patch, user
from .harness import group as group_body


def test_create_queues_user_created_and_answers_201() -> None:
    """
    A POST answers 201 with the resource, its id and meta, and a
    Location header; the inbox gets one user.created.
    """
    h = Harness()

    response = h.call("POST", "/Users", user("nina@acme.com"))

    assert response.status == 201
    assert response.body is not None
    ident = response.body["id"]
    assert response.location == f"{BASE}/Users/{ident}"
    assert response.body["meta"]["resourceType"] == "User"
    assert response.body["meta"]["location"] == response.location
    assert ("Location", response.location) in response.headers
    [queued] = h.inbox.queued("acme")
    assert isinstance(queued.event, UserCreated)
    assert queued.event.user.id == ident
    assert queued.event.user.email.address == "nina@acme.com"


def test_created_user_is_provisioned_by_the_scheduler() -> None:
    """
    After a cycle, the person has an account in the workspace, linked
    and invited (P-NEW).
    """
    h = Harness()
    ident = h.create(user("nina@acme.com", title="Engineer"))

    h.sync()

    account = h.account("nina@acme.com")
    assert account.link is not None
    assert account.link.user_id == ident
    assert account.profile.first_name == "Nina"
    assert account.profile.title == "Engineer"
    assert [m.to for m in h.mailer.sent] == ["nina@acme.com"]


def test_get_by_id_and_lookup_by_username() -> None:
    """
    GET by id returns the resource; the userName lookup an identity
    provider makes before a create is case-insensitive and returns a
    ListResponse with integer counts.
    """
    h = Harness()
    ident = h.create(user("Nina@Acme.com"))

    one = h.call("GET", f"/Users/{ident}")
    found = h.call(
        "GET", "/Users", query="filter=userName+eq+%22nina%40acme.com%22"
    )
    none = h.call(
        "GET", "/Users", query='filter=userName eq "someone@acme.com"'
    )

    assert one.status == 200
    assert one.body is not None
    assert one.body["userName"] == "Nina@Acme.com"
    assert found.body is not None
    assert found.body["totalResults"] == 1
    assert found.body["startIndex"] == 1
    assert found.body["itemsPerPage"] == 1
    assert found.body["Resources"][0]["id"] == ident
    assert none.body is not None
    assert none.body["totalResults"] == 0
    assert none.body["Resources"] == []


def test_username_is_unique_case_insensitively() -> None:
    """
    A second user with the same userName in another case is a 409
    uniqueness error, and nothing is queued for it.
    """
    h = Harness()
    h.create(user("nina@acme.com"))
    before = h.snapshot()

    response = h.call("POST", "/Users", user("NINA@acme.com"))

    assert response.status == 409
    assert response.body is not None
    assert response.body["scimType"] == "uniqueness"
    assert response.body["status"] == "409"
    assert h.snapshot() == before


@pytest.mark.parametrize("how", ["PUT", "PATCH"])
def test_a_renamed_user_takes_its_new_username_and_frees_the_old(
    how: str,
) -> None:
    """
    After a PUT or PATCH changes the userName, the lookup finds the user
    by its new name only, the new name is taken and the old one is free;
    a change of case alone keeps the name the user's own.
    """
    h = Harness()
    ident = h.create(user("nina@acme.com"))
    renamed = user("nina.ng@acme.com", email="nina@acme.com")
    response = (
        h.call("PUT", f"/Users/{ident}", renamed)
        if how == "PUT"
        else h.call(
            "PATCH",
            f"/Users/{ident}",
            patch(
                {
                    "op": "replace",
                    "path": "userName",
                    "value": "nina.ng@acme.com",
                }
            ),
        )
    )
    assert response.status == 200, response.body

    def found(name: str) -> list[str]:
        listed = h.call("GET", "/Users", query=f'filter=userName eq "{name}"')
        assert listed.body is not None
        return [r["id"] for r in listed.body["Resources"]]

    assert found("Nina.Ng@acme.com") == [ident]
    assert found("nina@acme.com") == []
    assert h.call("POST", "/Users", user("NINA.NG@acme.com")).status == 409
    recased = h.call(
        "PATCH",
        f"/Users/{ident}",
        patch(
            {"op": "replace", "path": "userName", "value": "Nina.Ng@acme.com"}
        ),
    )
    assert recased.status == 200, recased.body
    assert h.call("POST", "/Users", user("nina@acme.com")).status == 201


def test_same_username_in_another_workspace_is_fine() -> None:
    """
    Uniqueness is per workspace: each tenant has its own directory.
    """
    h = Harness()
    h.create(user("nina@acme.com"))

    response = h.call(
        "POST", "/Users", user("nina@acme.com"), workspace="globex"
    )

    assert response.status == 201


def test_another_workspace_cannot_read_or_change_a_user() -> None:
    """
    Ids of one workspace are not found from another, for every method,
    and lists never show another workspace's resources.
    """
    h = Harness()
    ident = h.create(user("nina@acme.com"))
    before = h.snapshot()

    statuses = [
        h.call(method, f"/Users/{ident}", body, workspace="globex").status
        for method, body in [
            ("GET", None),
            ("PUT", user("nina@acme.com")),
            ("PATCH", patch({"op": "replace", "value": {"active": False}})),
            ("DELETE", None),
        ]
    ]
    listed = h.call("GET", "/Users", workspace="globex")
    filtered = h.call(
        "GET",
        "/Users",
        query=f'filter=id eq "{ident}"',
        workspace="globex",
    )

    assert statuses == [404, 404, 404, 404]
    assert listed.body is not None
    assert listed.body["totalResults"] == 0
    assert filtered.body is not None
    assert filtered.body["totalResults"] == 0
    assert h.snapshot() == before


def test_put_replaces_and_queues_an_update_with_previous_values() -> None:
    """
    PUT replaces the whole user (RFC 7644 section 3.5.1): attributes it
    leaves out are cleared; the update carries the old profile.
    """
    h = Harness()
    ident = h.create(user("nina@acme.com", title="Engineer"))
    h.sync()

    response = h.call(
        "PUT", f"/Users/{ident}", user("nina@acme.com", given="Nina-Li")
    )
    h.sync()

    assert response.status == 200
    assert response.body is not None
    assert "title" not in response.body
    account = h.account("nina@acme.com")
    assert account.profile.first_name == "Nina-Li"
    assert account.profile.title is None


@pytest.mark.parametrize(
    ("operation", "shown"),
    [
        pytest.param(
            {
                "op": "add",
                "path": "phoneNumbers",
                "value": [{"value": "+1 555 0100", "type": "work"}],
            },
            ("phoneNumbers", "+1 555 0100"),
            id="an-attribute-not-synced",
        ),
        pytest.param(
            {
                "op": "replace",
                "path": 'emails[type eq "work"].value',
                "value": "Nina@ACME.com",
            },
            ("emails", "Nina@ACME.com"),
            id="the-letter-case-of-the-email",
        ),
    ],
)
def test_update_that_changes_nothing_synced_queues_nothing(
    operation: dict[str, Any], shown: tuple[str, str]
) -> None:
    """
    A PATCH of an attribute dirsync does not sync (a phone number), or of
    the letter case of the email (emails compare case-insensitively, SPEC
    section 1), changes the mirror but gives the product no news.
    """
    h = Harness()
    ident = h.create(user("nina@acme.com"))
    h.sync()

    response = h.call("PATCH", f"/Users/{ident}", patch(operation))

    attribute, value = shown
    assert response.status == 200
    assert response.body is not None
    assert response.body[attribute][0]["value"] == value
    assert h.inbox.queued("acme") == []


def test_a_directory_that_starts_sending_roles_states_the_role() -> None:
    """
    A user created without ``roles`` leaves the role unstated; a PUT
    with ``roles`` (even empty) states it, and that is news even though
    no value changed: the product now takes the role from the directory.
    """
    h = Harness()
    ident = h.create(user("nina@acme.com"))
    h.sync()

    h.call("PUT", f"/Users/{ident}", user("nina@acme.com", roles=[]))

    [queued] = h.inbox.queued("acme")
    assert isinstance(queued.event, UserUpdated)
    assert "role" in queued.event.user.stated
    assert queued.event.previous.email is None
    assert queued.event.previous.profile is None
    assert queued.event.previous.role is None
    assert queued.event.previous.active is None


def test_delete_answers_204_and_queues_user_deleted() -> None:
    """
    DELETE removes the user from the mirror and from its groups, and the
    product revokes the invitation provisioning sent (D-INVITED).
    """
    h = Harness()
    ident = h.create(user("nina@acme.com"))
    group = h.create(group_body("Engineering", ident))
    h.sync()

    response = h.call("DELETE", f"/Users/{ident}")
    h.sync()

    assert response.status == 204
    assert response.body is None
    assert response.content() == b""
    assert response.headers == []
    assert h.call("GET", f"/Users/{ident}").status == 404
    left = h.call("GET", f"/Groups/{group}").body
    assert left is not None
    assert left.get("members", []) == []
    [invitation] = h.state.invitations.values()
    assert invitation.status is InvitationStatus.REVOKED


def test_deleted_event_carries_the_email() -> None:
    """
    user.deleted names the email too, so that an account that was never
    linked can still be found.
    """
    h = Harness()
    ident = h.create(user("nina@acme.com"))

    h.call("DELETE", f"/Users/{ident}")

    last = h.inbox.queued("acme")[-1].event
    assert isinstance(last, UserDeleted)
    assert last.email is not None
    assert last.email.address == "nina@acme.com"


def test_user_shows_its_groups() -> None:
    """
    A user's read-only ``groups`` are filled in from the groups that
    list it (RFC 7643 section 4.1.2).
    """
    h = Harness()
    ident = h.create(user("nina@acme.com"))
    group = h.create(group_body("Engineering", ident))

    body = h.call("GET", f"/Users/{ident}").body

    assert body is not None
    assert body["groups"] == [
        {
            "value": group,
            "display": "Engineering",
            "$ref": f"{BASE}/Groups/{group}",
            "type": "direct",
        }
    ]


def test_group_members_must_exist_in_the_directory() -> None:
    """
    A member that is not a user or group of this workspace (another
    workspace's id, say) is refused, and nothing changes.
    """
    h = Harness()
    other = h.create(user("gus@globex.com"), workspace="globex")
    before = h.snapshot()

    response = h.call(
        "POST",
        "/Groups",
        group_body("Admins", other),
    )

    assert response.status == 400
    assert response.body is not None
    assert response.body["scimType"] == "invalidValue"
    assert other in response.body["detail"]
    assert h.snapshot() == before


@pytest.mark.parametrize(
    ("query", "start", "ids"),
    [
        ("", 1, [0, 1, 2, 3, 4]),
        ("count=2", 1, [0, 1]),
        ("startIndex=2&count=2", 2, [1, 2]),
        ("startIndex=0&count=1", 1, [0]),
        ("startIndex=5", 5, [4]),
        ("startIndex=9", 9, []),
        ("count=0", 1, []),
        ("count=-3", 1, []),
    ],
)
def test_pagination(query: str, start: int, ids: list[int]) -> None:
    """
    startIndex is 1-based and below 1 means 1; a count below 0 means 0
    (RFC 7644 section 3.4.2.4); totalResults counts every match.
    """
    h = Harness()
    made = [h.create(user(f"u{n}@acme.com")) for n in range(5)]

    body = h.call("GET", "/Users", query=query).body

    assert body is not None
    assert body["totalResults"] == 5
    assert body["startIndex"] == start
    assert body["itemsPerPage"] == len(ids)
    assert [r["id"] for r in body["Resources"]] == [made[i] for i in ids]


def test_filters_other_than_equality_scan_the_mirror() -> None:
    """
    Any filter of the language works, not only the userName lookup.
    """
    h = Harness()
    h.create(user("nina@acme.com", title="Engineer"))
    h.create(user("ivan@acme.com", title="Sales"))
    h.create(user("omar@acme.com", title="Engineering manager"))

    body = h.call(
        "GET",
        "/Users",
        query='filter=title sw "engineer" and not (userName co "omar")',
    ).body

    assert body is not None
    assert [r["userName"] for r in body["Resources"]] == ["nina@acme.com"]


def test_discovery_endpoints() -> None:
    """
    /ServiceProviderConfig, /ResourceTypes and /Schemas describe what
    the endpoint supports.
    """
    h = Harness()

    config = h.call("GET", "/ServiceProviderConfig").body
    types = h.call("GET", "/ResourceTypes").body
    user_type = h.call("GET", "/ResourceTypes/User").body
    schemas = h.call("GET", "/Schemas").body
    core = h.call(
        "GET", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User"
    ).body

    assert config is not None
    assert config["patch"]["supported"] is True
    assert config["bulk"]["supported"] is False
    assert config["filter"]["supported"] is True
    assert types is not None
    assert types["totalResults"] == 2
    assert user_type is not None
    assert user_type["endpoint"] == "/Users"
    assert schemas is not None
    assert schemas["totalResults"] == 3
    assert core is not None
    assert core["id"] == "urn:ietf:params:scim:schemas:core:2.0:User"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/Nothing", 404),
        ("GET", "/", 404),
        ("GET", "/Users/a/b", 404),
        ("GET", "/Users/missing", 404),
        ("DELETE", "/Users", 405),
        ("PUT", "/Users", 405),
        ("POST", "/Users/x", 405),
        ("POST", "/ServiceProviderConfig", 405),
        ("GET", "/ServiceProviderConfig/x", 404),
        ("GET", "/Schemas/urn:nothing", 404),
        ("POST", "/Bulk", 501),
        ("GET", "/Me", 501),
        ("GET", "/Users/%00", 404),
    ],
)
def test_routing_errors(method: str, path: str, status: int) -> None:
    """
    Unknown paths are 404, wrong methods 405, unsupported features 501,
    each with a SCIM error body.
    """
    h = Harness()

    response = h.call(method, path)

    assert response.status == status
    assert response.body is not None
    assert response.body["schemas"] == [
        "urn:ietf:params:scim:api:messages:2.0:Error"
    ]
    assert response.body["status"] == str(status)
    assert response.body["detail"]


def test_error_content_is_json_with_the_scim_media_type() -> None:
    """
    Error responses are encoded with the SCIM media type.
    """
    h = Harness()

    response = h.call("GET", "/Users/nobody")

    assert json.loads(response.content())["status"] == "404"
    assert dict(response.headers)["Content-Type"].startswith(
        "application/scim+json"
    )


def test_admin_group_membership_sets_the_role() -> None:
    """
    Joining a group named as an admin group makes the member an admin
    (U-ROLE); leaving it makes them a member again.
    """
    h = Harness(admin_groups=["Workspace Admins"])
    ident = h.create(user("nina@acme.com"))
    h.sync()
    assert h.account("nina@acme.com").role is Role.MEMBER

    group = h.create(group_body("workspace admins", ident))
    h.sync()
    promoted = h.account("nina@acme.com").role

    h.call(
        "PATCH",
        f"/Groups/{group}",
        patch({"op": "remove", "path": f'members[value eq "{ident}"]'}),
    )
    h.sync()

    assert promoted is Role.ADMIN
    assert h.account("nina@acme.com").role is Role.MEMBER


def test_admin_wins_over_member() -> None:
    """
    Leaving one admin group while still in another keeps the admin
    role, and so does a ``roles`` value of admin.
    """
    h = Harness(admin_groups=["Admins", "Owners"])
    nina = h.create(user("nina@acme.com"))
    ivan = h.create(
        user("ivan@acme.com", roles=[{"value": "Admin", "primary": True}])
    )
    members = [{"value": nina}, {"value": ivan}]
    admins = h.create(
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Admins",
            "members": members,
        }
    )
    h.create(group_body("Owners", nina))
    h.sync()
    queued_before = len(h.inbox.queued("acme"))

    h.call("DELETE", f"/Groups/{admins}")

    assert len(h.inbox.queued("acme")) == queued_before
    h.sync()
    assert h.account("nina@acme.com").role is Role.ADMIN
    assert h.account("ivan@acme.com").role is Role.ADMIN


def test_admin_group_by_id_and_rename() -> None:
    """
    Admin groups may be named by id; renaming a group out of the admin
    names demotes its members.
    """
    h = Harness(admin_groups=["Admins"])
    nina = h.create(user("nina@acme.com"))
    group = h.create(group_body("Admins", nina))
    h.sync()

    h.call(
        "PATCH",
        f"/Groups/{group}",
        patch(
            {
                "op": "replace",
                "value": {"id": group, "displayName": "Former admins"},
            }
        ),
    )
    events = [q.event for q in h.inbox.queued("acme")]
    h.sync()

    assert len(events) == 1
    assert isinstance(events[0], UserUpdated)
    assert events[0].previous.role is Role.ADMIN
    assert h.account("nina@acme.com").role is Role.MEMBER


def test_admin_groups_setting_matches_ids() -> None:
    """
    A group id in the setting makes that group an admin group whatever
    its name.
    """
    h = Harness()
    nina = h.create(user("nina@acme.com"))
    group = h.create(group_body("Anything"))
    h.endpoint.policy = Policy(admin_groups=frozenset({group}))

    h.call(
        "PATCH",
        f"/Groups/{group}",
        patch({"op": "add", "path": "members", "value": [{"value": nina}]}),
    )
    h.sync()

    assert h.account("nina@acme.com").role is Role.ADMIN


def test_group_list_and_display_name_lookup() -> None:
    """
    Groups are listed and looked up by displayName, as Okta and Entra do
    before pushing a group.
    """
    h = Harness()
    h.create(group_body("Sales"))

    found = h.call(
        "GET", "/Groups", query='filter=displayName eq "sales"'
    ).body
    listed = h.call("GET", "/Groups").body

    assert found is not None
    assert found["totalResults"] == 1
    assert listed is not None
    assert listed["totalResults"] == 1


def test_nested_group_member_is_accepted_but_confers_nothing() -> None:
    """
    A group may list another group; membership is not inherited.
    """
    h = Harness(admin_groups=["Admins"])
    nina = h.create(user("nina@acme.com"))
    inner = h.create(group_body("Team", nina))
    h.sync()

    response = h.call(
        "POST",
        "/Groups",
        group_body("Admins", inner),
    )

    assert response.status == 201
    assert h.inbox.queued("acme") == []


def test_a_deleted_group_leaves_the_groups_that_list_it() -> None:
    """
    Deleting a nested group takes it out of its parent, as deleting a
    user takes the user out of its groups (RFC 7644 section 3.6); the
    parent can still be patched, and lists only what exists.
    """
    h = Harness()
    nina = h.create(user("nina@acme.com"))
    inner = h.create(group_body("Team"))
    outer = h.create(group_body("All", nina, inner))

    assert h.call("DELETE", f"/Groups/{inner}").status == 204
    response = h.call(
        "PATCH",
        f"/Groups/{outer}",
        patch({"op": "replace", "path": "displayName", "value": "Everyone"}),
    )

    assert response.status == 200
    assert response.body is not None
    assert [m["value"] for m in response.body["members"]] == [nina]


def test_group_cannot_contain_itself() -> None:
    """
    A group that lists its own id is refused.
    """
    h = Harness()
    group = h.create(group_body("Loop"))

    response = h.call(
        "PATCH",
        f"/Groups/{group}",
        patch({"op": "add", "path": "members", "value": [{"value": group}]}),
    )

    assert response.status == 400


def test_mirror_kinds_are_separate() -> None:
    """
    A user id is not a group id.
    """
    h = Harness()
    ident = h.create(user("nina@acme.com"))

    assert h.call("GET", f"/Groups/{ident}").status == 404
    assert h.directory.get("acme", ResourceKind.GROUP, ident) is None


SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"


def test_search_by_post() -> None:
    """
    ``POST /Users/.search`` takes the query in a SearchRequest body, and
    ``POST /.search`` searches users and groups (RFC 7644 section
    3.4.3).
    """
    h = Harness()
    h.create(user("nina@acme.com", externalId="ext-1"))
    h.create(user("ivan@acme.com"))
    h.create(group_body("Nina's team"))

    users = h.call(
        "POST",
        "/Users/.search",
        {
            "schemas": [SEARCH],
            "filter": 'externalId eq "ext-1"',
            "attributes": ["userName"],
            "startIndex": 1,
            "count": 10,
        },
    ).body
    both = h.call(
        "POST",
        "/.search",
        {"schemas": [SEARCH], "filter": "displayName pr or userName pr"},
    ).body

    assert users is not None
    assert [set(r) for r in users["Resources"]] == [
        {"schemas", "id", "userName"}
    ]
    assert users["Resources"][0]["userName"] == "nina@acme.com"
    assert both is not None
    assert both["totalResults"] == 3


@pytest.mark.parametrize(
    ("body", "scim_type", "fragment"),
    [
        (["filter"], "invalidSyntax", "object"),
        ({"filter": "userName pr"}, "invalidSyntax", "SearchRequest"),
        ({"schemas": [SEARCH], "sortBy": "userName"}, "invalidValue", "sort"),
        ({"schemas": [SEARCH], "where": 1}, "invalidSyntax", "where"),
        (
            {"schemas": [SEARCH], "attributes": "userName"},
            "invalidValue",
            "list",
        ),
        ({"schemas": [SEARCH], "filter": 3}, "invalidValue", "filter"),
        ({"schemas": [SEARCH], "count": "10"}, "invalidValue", "count"),
        ({"schemas": [SEARCH], "count": True}, "invalidValue", "count"),
    ],
)
def test_bad_search_bodies(
    body: object, scim_type: str, fragment: str
) -> None:
    """
    A search body that is not a SearchRequest is refused, saying why.
    """
    h = Harness()

    response = h.call("POST", "/Users/.search", body)

    assert response.status == 400
    assert response.body is not None
    assert response.body["scimType"] == scim_type
    assert fragment in response.body["detail"]


def test_search_is_post_only() -> None:
    """
    ``.search`` answers POST only.
    """
    h = Harness()

    assert h.call("GET", "/Users/.search").status == 405
    assert h.call("GET", "/.search").status == 405


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("count=1&count=2", "given 2 times"),
        ("&".join(f"p{n}=1" for n in range(40)), "query"),
    ],
)
def test_bad_query_strings(query: str, fragment: str) -> None:
    """
    A parameter given twice, or more fields than any SCIM query has, is
    refused.
    """
    h = Harness()

    response = h.call("GET", "/Users", query=query)

    assert response.status == 400
    assert response.body is not None
    assert fragment in response.body["detail"]


def test_endpoint_exposes_its_policy() -> None:
    """
    The policy the endpoint reads admin groups from can be read back.
    """
    h = Harness(admin_groups=["Admins"])

    assert h.endpoint.policy.admin_groups == frozenset({"Admins"})


def test_events_carry_no_timestamp() -> None:
    """
    The endpoint's events are ordered by the commits that queued them;
    a timestamp from one web worker's clock could make a later event
    look older than an earlier one from another, and be dropped as
    stale.
    """
    h = Harness()
    ident = h.create(user("nina@acme.com"))
    h.call("PUT", f"/Users/{ident}", user("nina@acme.com", title="Lead"))
    h.call("DELETE", f"/Users/{ident}")

    events = [q.event for q in h.inbox.queued("acme")]

    assert len(events) == 3
    assert all(e.occurred_at is None and e.sequence is None for e in events)


def rename(h: Harness, ident: str) -> UserUpdated:
    """
    PATCH the user's given name to "X"; the update it queues.
    """
    response = h.call(
        "PATCH",
        f"/Users/{ident}",
        patch({"op": "replace", "path": "name.givenName", "value": "X"}),
    )
    assert response.status == 200
    event = [q.event for q in h.inbox.queued("acme")][-1]
    assert isinstance(event, UserUpdated)
    assert event.user_id == ident
    return event


def test_the_memo_of_mapped_users_is_bounded_and_never_stale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """
    The endpoint remembers the users it mapped, up to a bound, then
    starts over; a user whose memo was dropped, or whose mapping
    changed, is mapped again, and every update reports what changed.
    """
    monkeypatch.setattr("dirsync.scim._endpoint._MAPPED_USERS", 2)
    h = Harness()
    ids = [h.create(user(f"u{n}@acme.com", given=f"G{n}")) for n in range(3)]
    assert len(h.endpoint._users) <= 2

    for n, ident in enumerate(ids):
        event = rename(h, ident)
        assert event.previous.profile is not None
        assert event.previous.profile.first_name == f"G{n}"
    assert len(h.endpoint._users) <= 2


def test_a_new_mapping_maps_the_stored_user_again() -> None:
    """
    The memo of mapped users holds for one mapping: after the host
    changes the endpoint's settings, the stored user is read by the new
    mapping, so an update does not report a change the mapping made.
    """
    h = Harness()
    ident = h.create(user("nina@acme.com", title="Lead", nickName="Nin"))
    h.endpoint.settings = Settings(
        base_url=BASE, mapping=AttributeMapping(title="nickName")
    )

    event = rename(h, ident)

    assert event.user.profile.title == "Nin"
    assert event.previous.profile is not None
    assert event.previous.profile.title == "Nin"


def test_a_body_changed_behind_the_endpoint_is_mapped_again() -> None:
    """
    The memo holds the very body it mapped: when the store hands back
    another (written by another worker, or read back from a file), the
    stored user is mapped again.
    """
    h = Harness()
    ident = h.create(user("nina@acme.com", given="Nina"))
    stored = h.directory.get("acme", ResourceKind.USER, ident)
    assert stored is not None
    body = {**stored.body, "name": {"givenName": "Other"}}
    h.directory.commit("acme", [attrs.evolve(stored, body=body)], [])

    event = rename(h, ident)

    assert event.previous.profile is not None
    assert event.previous.profile.first_name == "Other"


_GROUP_STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            ["add", "add-okta", "remove", "remove-legacy", "put", "noop"]
        ),
        st.lists(st.integers(0, 4), min_size=1, max_size=3),
    ),
    max_size=8,
)


@settings(max_examples=60)
@given(first=st.lists(st.integers(0, 4), max_size=3), steps=_GROUP_STEPS)
def test_a_group_knows_its_members_after_any_changes(
    first: list[int], steps: list[tuple[str, list[int]]]
) -> None:
    """
    Whatever adds, removes and replacements a group goes through, the
    ids the mirror keeps for it are those its ``members`` list, and each
    user is found in the groups that list it: the endpoint reads only
    the entries a change adds where it can.
    """
    h = Harness()
    users = [h.create(user(f"u{n}@acme.com")) for n in range(5)]
    ident = h.create(group_body("Staff", *[users[n] for n in first]))
    for kind, chosen in steps:
        ids = [users[n] for n in chosen]
        if kind == "put":
            response = h.call(
                "PUT", f"/Groups/{ident}", group_body("Staff", *ids)
            )
        else:
            response = h.call(
                "PATCH", f"/Groups/{ident}", patch(_group_change(kind, ids))
            )
        assert response.status == 200, response.body

        stored = h.directory.get("acme", ResourceKind.GROUP, ident)
        assert stored is not None
        listed = frozenset(m["value"] for m in stored.body["members"])
        assert stored.members == listed
        for member in users:
            found = [g.id for g in h.directory.groups_of("acme", member)]
            assert found == ([ident] if member in listed else [])


def _group_change(kind: str, ids: list[str]) -> dict[str, Any]:
    """
    One PATCH operation on a group's members, as Okta or Entra ID writes
    it, or one that leaves them alone.
    """
    members: list[dict[str, Any]] = [{"value": i} for i in ids]
    if kind == "noop":
        return {"op": "replace", "path": "displayName", "value": "Staff"}
    if kind == "add-okta":
        members = [{**m, "display": "someone"} for m in members]
    if kind.startswith("add"):
        return {"op": "add", "path": "members", "value": members}
    if kind == "remove":
        return {"op": "remove", "path": f'members[value eq "{ids[0]}"]'}
    return {"op": "remove", "path": "members", "value": members}
