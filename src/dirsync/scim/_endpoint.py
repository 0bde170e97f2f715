"""
The endpoint core: one SCIM request in, one SCIM response out.

Theory of operation.
The host's web framework authenticates the request, resolves the
workspace from the bearer token (`dirsync.tokens`), and hands the method,
the path below its SCIM base URL, the query string and the raw body to
`Endpoint.handle`.
The endpoint reads the workspace's mirror through the `DirectoryStore`
port, works out the whole new resource, checks it, and then makes one
call to `DirectoryStore.commit` with the changed resources and the
directory events they mean.
Nothing is written before every check has passed, so a request that is
refused changes nothing; and since the events go to the inbox in the
same commit as the mirror, the scheduler hears of every change the
endpoint accepted.

Users become `dirsync.UserCreated`, `dirsync.UserUpdated` (with the
previous values of what changed) and `dirsync.UserDeleted`.
A group matters to the product only through the workspace role: joining
or leaving a group the settings name as an admin group is an update of
the member's role, decided by the same rules as any other update.

The module does no I/O of its own and reads neither clock nor randomness:
the host injects both (``now`` and ``new_id``).

The events carry no timestamp.
Their order is the order of the commits that queued them, which is the
order the mirror changed in; a timestamp from the clock of one of
several web workers could only mark a later event as older, and the
scheduler would drop it as stale.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from .._events import (
    DirectoryEvent,
    PreviousValues,
    UserCreated,
    UserDeleted,
    UserUpdated,
)
from .._model import DirectoryUser, Email, EmailParser, Profile
from .._policy import DEFAULT_POLICY, Policy
from ._bodies import validate_group, validate_user
from ._directory import (
    Change,
    Delete,
    DirectoryStore,
    ResourceKind,
    StoredResource,
)
from ._errors import InvalidProvisioningEvent, ScimType, bad_request
from ._json import Limits, loads
from ._match import matcher
from ._names import mixed_scripts, user_key
from ._patch import apply_patch
from ._path import parse_filter, parse_path, simple_equality
from ._query import (
    SEARCH_KEYS,
    SEARCH_REQUEST,
    integer,
    parse_query,
    projection,
    search_value,
)
from ._resources import (
    DEFAULT_MAPPING,
    updated_user,
    user_from_resource,
)
from ._resources import Mapping as AttributeMapping
from ._schema import (
    ENTERPRISE_USER_SCHEMA,
    GROUP_SCHEMA,
    GROUP_TYPE,
    LIST_RESPONSE_URN,
    USER_SCHEMA,
    USER_TYPE,
    resource_type_json,
    schema_json,
)
from ._wire import ScimRequest, ScimResponse

_SERVICE_PROVIDER_CONFIG_URN = (
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
)


@attrs.frozen
class Settings:
    """
    How the endpoint maps and limits what it is sent.

    Args:
        base_url: The absolute URL the SCIM API is mounted at, such as
            ``https://app.example.com/scim/v2``; used for ``Location``
            headers and ``meta.location``.
        mapping: Which SCIM attributes give the synced attributes.
        limits: The size limits every request is held to.

    .. versionadded:: 0.1.0
    """

    base_url: str = ""
    mapping: AttributeMapping = DEFAULT_MAPPING
    limits: Limits = attrs.field(factory=Limits)


# How many users `Endpoint._mapped` remembers; when full, it starts over.
_MAPPED_USERS = 8_192

_ENDPOINTS = {
    "users": ResourceKind.USER,
    "groups": ResourceKind.GROUP,
}
# Each kind's endpoint, for locations: a dict, since an enum's `value`
# costs a Python call (and a location is written per group of a user).
_PLURAL = {kind: f"{kind.value}s" for kind in ResourceKind}
_SEGMENT = r"[A-Za-z0-9._~\-:@]+"
_PATH = re.compile(f"/*({_SEGMENT})(?:/+({_SEGMENT}))?/*")


class Endpoint:
    """
    The SCIM 2.0 service provider of RFC 7644, without the transport.

    Args:
        store: The mirror, which also appends events to the inbox.
        new_id: Makes a new unique id, for resources and for events
            (``lambda: uuid.uuid4().hex`` does).
        now: Gives the time, with a time zone, for ``meta.created``,
            ``meta.lastModified`` and the events
            (``dirsync.SystemClock().now`` does).
        settings: The base URL, the attribute mapping and the limits.
        policy: The policy; the endpoint reads its ``admin_groups``.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        store: DirectoryStore,
        *,
        new_id: Callable[[], str],
        now: Callable[[], datetime],
        settings: Settings = Settings(),
        policy: Policy = DEFAULT_POLICY,
    ) -> None:
        self.store = store
        self.new_id = new_id
        self.now = now
        self.settings = settings
        self.policy = policy
        # email-validator takes about 20 microseconds an address, more
        # than the rest of reading a user.  An `EmailParser` gives the
        # same answers in a fifth of that by remembering the domains it
        # has checked, and the endpoint reads the same addresses again
        # and again (the userName and the email of a POST, the stored
        # user before and after every PUT and PATCH): a bounded cache of
        # its answers, which are immutable, changes nothing but the
        # time; an address that does not parse raises every time.
        self._parse_email = functools.lru_cache(maxsize=8_192)(EmailParser())
        # The same for PATCH paths: a few texts, sent again and again,
        # each parsed into an immutable tree.
        self._parse_path = functools.lru_cache(maxsize=1_024)(parse_path)
        # See `_mapped`: (workspace, id) -> (body, mapping, admin by
        # group, user).  The body is held, so that `is` cannot match a
        # new object at the address of a freed one.
        self._users: dict[
            tuple[str, str],
            tuple[
                Mapping[str, Any], AttributeMapping, bool | None, DirectoryUser
            ],
        ] = {}

    @property
    def policy(self) -> Policy:
        """
        The policy whose ``admin_groups`` decide group roles.
        """
        return self._policy

    @policy.setter
    def policy(self, policy: Policy) -> None:
        self._policy = policy
        self._admin_names = frozenset(
            g.casefold() for g in policy.admin_groups
        )

    def _is_admin_group(self, group: StoredResource) -> bool:
        """
        Whether membership of *group* makes a person an admin.
        """
        return (
            group.id in self._policy.admin_groups
            or group.name in self._admin_names
        )

    def handle(self, request: ScimRequest) -> ScimResponse:
        """
        Answer *request*.

        Bad input from the identity provider never raises: it is
        answered with a SCIM error body (RFC 7644 section 3.12), and
        nothing has changed.
        Errors of the store, which are the host's, propagate.
        """
        try:
            return self._route(request)
        except InvalidProvisioningEvent as e:
            return ScimResponse(e.status, e.body())

    # Routing.

    def _route(self, request: ScimRequest) -> ScimResponse:
        method = request.method.upper()
        # One or two segments, slashes around them ignored.
        found = _PATH.fullmatch(request.path)
        if found is None:
            raise _not_found(request.path)
        first, ident = found.groups()
        head = first.lower()

        kind = _ENDPOINTS.get(head)
        if kind is not None and ident == ".search":
            _allow(method, ("POST",))
            return self._search(request, (kind,))
        if kind is not None:
            return self._resource(method, kind, ident, request)
        if head == ".search" and ident is None:
            _allow(method, ("POST",))
            return self._search(request, tuple(ResourceKind))
        if head in ("serviceproviderconfig", "resourcetypes", "schemas"):
            _allow(method, ("GET",))
            return self._discovery(head, ident, request.path)
        if head in ("bulk", "me") and ident is None:
            raise InvalidProvisioningEvent(
                501, f"{first} is not supported by this service provider"
            )
        raise _not_found(request.path)

    def _resource(
        self,
        method: str,
        kind: ResourceKind,
        ident: str | None,
        request: ScimRequest,
    ) -> ScimResponse:
        ws = request.workspace
        if ident is None:
            _allow(method, ("GET", "POST"))
            if method == "GET":
                return self._list(ws, (kind,), parse_query(request.query))
            return self._create(ws, kind, self._body(request))
        _allow(method, ("GET", "PUT", "PATCH", "DELETE"))
        stored = self.store.get(ws, kind, ident)
        if stored is None:
            raise _not_found(f"{kind.value} {ident}")
        if method == "GET":
            shown = projection(parse_query(request.query))
            return ScimResponse(200, shown(self._served(ws, stored)))
        if method == "DELETE":
            self._delete(ws, stored)
            return ScimResponse(204)
        body = self._body(request)
        if method == "PATCH":
            main, extensions = _schemas(kind)
            body = apply_patch(
                stored.body,
                body,
                main,
                extensions,
                max_operations=self.settings.limits.max_operations,
                parse=self._parse_path,
            )
        return self._replace(ws, stored, body)

    def _body(self, request: ScimRequest) -> Any:
        return loads(request.body, self.settings.limits)

    # Writing.

    def _create(self, ws: str, kind: ResourceKind, body: Any) -> ScimResponse:
        now = self.now().isoformat()
        ident = self.new_id()
        meta = {
            "resourceType": kind.value,
            "created": now,
            "lastModified": now,
            "location": self._location(kind, ident),
        }
        if kind is ResourceKind.USER:
            # A new user is in no group: a group lists only what exists.
            resource, user = self._user_resource(
                ws, body, ident, meta, None, self._admin_by_group(())
            )
            events: list[DirectoryEvent] = [
                UserCreated(self.new_id(), ws, user)
            ]
            self.store.commit(ws, [resource], events)
        else:
            resource = self._group_resource(ws, body, ident, meta, None)
            events = self._role_events(ws, None, resource)
            self.store.commit(ws, [resource], events)
        return ScimResponse(
            201, self._served(ws, resource), location=meta["location"]
        )

    def _replace(
        self, ws: str, stored: StoredResource, body: Any
    ) -> ScimResponse:
        meta = dict(stored.body.get("meta", {}))
        meta["lastModified"] = self.now().isoformat()
        changes: list[Change]
        groups = None
        if stored.kind is ResourceKind.USER:
            # Replacing a user leaves its groups as they are.
            groups = self.store.groups_of(ws, stored.id)
            admin = self._admin_by_group(groups)
            # The old state first: `_mapped` then keeps the new one.
            old = self._mapped(ws, stored, admin)
            resource, new = self._user_resource(
                ws, body, stored.id, meta, stored, admin
            )
            events = self._update_events(ws, old, new)
        else:
            resource = self._group_resource(ws, body, stored.id, meta, stored)
            events = self._role_events(ws, stored, resource)
        changes = [resource]
        self.store.commit(ws, changes, events)
        return ScimResponse(200, self._served(ws, resource, groups))

    def _delete(self, ws: str, stored: StoredResource) -> None:
        changes: list[Change] = [Delete(stored.kind, stored.id)]
        events: list[DirectoryEvent] = []
        # RFC 7644 section 3.6: a deleted resource leaves the groups that
        # list it (a nested group too), so that every member a group
        # lists exists.
        for group in self.store.groups_of(ws, stored.id):
            changes.insert(0, _without_member(group, stored.id))
        if stored.kind is ResourceKind.USER:
            user = self._directory_user(ws, stored)
            events.append(
                UserDeleted(
                    self.new_id(),
                    ws,
                    stored.id,
                    user.email,
                )
            )
        else:
            events = self._role_events(ws, stored, None)
        self.store.commit(ws, changes, events)

    def _user_resource(
        self,
        ws: str,
        body: Any,
        ident: str,
        meta: dict[str, Any],
        old: StoredResource | None,
        admin_by_group: bool | None,
    ) -> tuple[StoredResource, DirectoryUser]:
        """
        The user resource *body* makes, checked, and the directory user
        it maps to (mapped once here, and used again for the events).

        *meta* is made for it, and kept; *old* is the user it replaces;
        *admin_by_group* is as `user_from_resource` takes it.
        """
        valid = validate_user(body, previous=None if old is None else old.body)
        user_name = str(valid["userName"])
        if old is not None and old.body.get("userName") == user_name:
            # Most PUTs and PATCHes keep the userName, and its key.
            name = old.name
        else:
            name = user_key(user_name, self._parse_email)
        # A name the user already had is its own (the store checks again
        # as it commits, against a race).
        mine = old is not None and old.name == name
        if not mine and self.store.named(ws, ResourceKind.USER, name):
            raise InvalidProvisioningEvent(
                409,
                f"userName {valid['userName']!r} is already taken in "
                "this directory",
                ScimType.UNIQUENESS,
            )
        # `validate_user` made *valid* for us: it becomes the resource.
        valid["id"] = ident
        valid["meta"] = meta
        stored = StoredResource(ResourceKind.USER, ident, valid, name)
        # Map it now, so that an email that does not parse is refused
        # before anything is written.
        user = self._mapped(ws, stored, admin_by_group)
        mixed = mixed_scripts(user.email)
        if mixed:
            raise bad_request(
                ScimType.INVALID_VALUE,
                f"the email {user.email.address!r} mixes {mixed} letters "
                "in one part, as look-alike addresses do; it is refused",
            )
        return stored, user

    def _group_resource(
        self,
        ws: str,
        body: Any,
        ident: str,
        meta: dict[str, Any],
        old: StoredResource | None,
    ) -> StoredResource:
        """
        The group resource *body* makes, checked; *meta* is made for it,
        and kept; *old* is the group it replaces, whose members are known
        to exist.
        """
        valid = validate_group(
            body, previous=None if old is None else old.body
        )
        members = _member_ids(valid["members"], old)
        known = frozenset() if old is None else old.members
        for member in sorted(members - known):
            if member == ident:
                raise bad_request(
                    ScimType.INVALID_VALUE,
                    f"group {ident} cannot be a member of itself",
                )
            if (
                self.store.get(ws, ResourceKind.USER, member) is None
                and self.store.get(ws, ResourceKind.GROUP, member) is None
            ):
                raise bad_request(
                    ScimType.INVALID_VALUE,
                    f"member {member!r} is not a user or group of this "
                    "directory",
                )
        name = str(valid["displayName"]).casefold()
        valid["id"] = ident
        valid["meta"] = meta
        return StoredResource(
            ResourceKind.GROUP, ident, valid, name, frozenset(members)
        )

    # Events.

    def _directory_user(
        self,
        ws: str,
        stored: StoredResource,
        admin_by_group: bool | None = None,
    ) -> DirectoryUser:
        if admin_by_group is None:
            admin_by_group = self._admin_by_group(
                self.store.groups_of(ws, stored.id)
            )
        return self._mapped(ws, stored, admin_by_group)

    def _admin_by_group(self, groups: Iterable[StoredResource]) -> bool | None:
        """
        Whether *groups* make their member an admin; None when the
        policy names no admin group, so that groups decide nothing.
        """
        if not self._policy.admin_groups:
            return None
        # `map` rather than a generator, which costs a frame per user.
        return any(map(self._is_admin_group, groups))

    def _mapped(
        self, ws: str, stored: StoredResource, admin_by_group: bool | None
    ) -> DirectoryUser:
        """
        The directory user *stored* maps to, with *admin_by_group* as
        `user_from_resource` takes it.

        A user is mapped when it is written and again, as the old state,
        when it is next replaced or patched; the second time comes from
        this memo when the store handed back the very body that was
        mapped (the memory mirror does) and the groups say what they
        said.  A body the memo does not hold (the new one, or one the
        store read back) is read only where it differs from the one it
        holds (`updated_user`).
        """
        mapping = self.settings.mapping
        key = (ws, stored.id)
        known = self._users.get(key)
        if (
            known is not None
            and known[1] is mapping
            and known[2] is admin_by_group
        ):
            if known[0] is stored.body:
                return known[3]
            # Most likely the user before this change: what an
            # attribute the change left alone says is known.
            user = updated_user(
                stored.body,
                known[0],
                known[3],
                mapping=mapping,
                admin_by_group=admin_by_group,
                parse_email=self._parse_email,
            )
        else:
            user = user_from_resource(
                stored.body,
                id=stored.id,
                mapping=mapping,
                admin_by_group=admin_by_group,
                parse_email=self._parse_email,
            )
        if len(self._users) >= _MAPPED_USERS:
            self._users.clear()
        self._users[key] = (stored.body, mapping, admin_by_group, user)
        return user

    def _update_events(
        self, ws: str, old: DirectoryUser, new: DirectoryUser
    ) -> list[DirectoryEvent]:
        # *old* and *new* are one user, before and after: what changed is
        # compared once, part by part, by identity first (a user mapped
        # again keeps the parts that did not change).
        email: Email | None = old.email
        if email is new.email or email == new.email:
            email = None
        profile: Profile | None = old.profile
        if profile is new.profile or profile == new.profile:
            profile = None
        role = None if old.role is new.role else old.role
        active = None if old.active is new.active else old.active
        if (
            email is None
            and profile is None
            and role is None
            and active is None
            and old.stated == new.stated
        ):
            return []  # nothing synced changed: the product has no news
        # Positional: keywords make a frozen class slower.
        previous = PreviousValues(email, profile, role, active)
        return [UserUpdated(self.new_id(), ws, new, previous)]

    def _role_events(
        self,
        ws: str,
        old: StoredResource | None,
        new: StoredResource | None,
    ) -> list[DirectoryEvent]:
        """
        The role changes that replacing group *old* by *new* makes: a
        member who joins an admin group becomes an admin, one who leaves
        the last admin group (and whose ``roles`` do not say admin)
        becomes a member again.
        """
        was_admin = old is not None and self._is_admin_group(old)
        is_admin = new is not None and self._is_admin_group(new)
        before = old.members if was_admin and old is not None else frozenset()
        after = new.members if is_admin and new is not None else frozenset()
        group = old.id if old is not None else None

        events: list[DirectoryEvent] = []
        for member in sorted(before ^ after):
            user = self.store.get(ws, ResourceKind.USER, member)
            if user is None:
                continue  # a nested group: membership is not inherited
            elsewhere = any(
                self._is_admin_group(g)
                for g in self.store.groups_of(ws, member)
                if g.id != group
            )
            old_user = self._directory_user(
                ws, user, elsewhere or member in before
            )
            new_user = self._directory_user(
                ws, user, elsewhere or member in after
            )
            events.extend(self._update_events(ws, old_user, new_user))
        return events

    # Reading.

    def _served(
        self,
        ws: str,
        stored: StoredResource,
        groups: Sequence[StoredResource] | None = None,
    ) -> Mapping[str, Any]:
        """
        The body a GET of *stored* returns; *groups* are a user's groups
        when the caller has them at hand.
        """
        if stored.kind is ResourceKind.GROUP:
            return stored.body
        if groups is None:
            groups = self.store.groups_of(ws, stored.id)
        # RFC 7643 section 4.1.2: a user's groups are read-only, and the
        # service provider fills them in.
        if not groups:
            return stored.body
        refs = [
            {
                "value": g.id,
                "display": g.body.get("displayName"),
                "$ref": self._location(ResourceKind.GROUP, g.id),
                "type": "direct",
            }
            for g in groups
        ]
        return {**stored.body, "groups": refs}

    def _search(
        self, request: ScimRequest, kinds: tuple[ResourceKind, ...]
    ) -> ScimResponse:
        """
        A query sent as ``POST .search`` (RFC 7644 section 3.4.3): the
        same parameters as a GET, in a SearchRequest body.
        """
        body = self._body(request)
        if not isinstance(body, dict):
            raise bad_request(
                ScimType.INVALID_SYNTAX, "a search body is a JSON object"
            )
        schemas = body.get("schemas")
        if not isinstance(schemas, list) or SEARCH_REQUEST not in {
            s.lower() for s in schemas if isinstance(s, str)
        }:
            raise bad_request(
                ScimType.INVALID_SYNTAX,
                "a search body needs 'schemas': "
                "['urn:ietf:params:scim:api:messages:2.0:SearchRequest']",
            )
        params: dict[str, str] = {}
        for key, value in body.items():
            if key == "schemas":
                continue
            if key in ("sortBy", "sortOrder"):
                raise bad_request(
                    ScimType.INVALID_VALUE,
                    f"{key}: sorting is not supported "
                    "(see /ServiceProviderConfig)",
                )
            if key not in SEARCH_KEYS:
                raise bad_request(
                    ScimType.INVALID_SYNTAX,
                    f"unknown key {key!r} in a search body; allowed: "
                    f"{', '.join(sorted(SEARCH_KEYS))}",
                )
            params[key] = search_value(key, value)
        return self._list(request.workspace, kinds, params)

    def _list(
        self,
        ws: str,
        kinds: tuple[ResourceKind, ...],
        params: Mapping[str, str],
    ) -> ScimResponse:
        limits = self.settings.limits
        start = integer(params, "startIndex", 1)
        count = integer(params, "count", limits.max_results)
        # RFC 7644 section 3.4.2.4: below 1 means 1; a negative count
        # means 0.
        start = max(start, 1)
        count = min(max(count, 0), limits.max_results)

        shown = projection(params)
        text = params.get("filter")
        if text is not None and len(text) > limits.max_filter_length:
            raise bad_request(
                ScimType.INVALID_FILTER,
                f"the filter is {len(text):,} characters long; at most "
                f"{limits.max_filter_length:,} are accepted",
            )
        hits: list[StoredResource] = []
        for kind in kinds:
            if text is None:
                hits.extend(self.store.all(ws, kind))
            else:
                hits.extend(self._filtered(ws, kind, text))
        page = hits[start - 1 : start - 1 + count]
        return ScimResponse(
            200,
            {
                "schemas": [LIST_RESPONSE_URN],
                "totalResults": len(hits),
                "startIndex": start,
                "itemsPerPage": len(page),
                "Resources": [shown(self._served(ws, r)) for r in page],
            },
        )

    def _filtered(
        self, ws: str, kind: ResourceKind, text: str
    ) -> Iterable[StoredResource]:
        expression = parse_filter(text)
        main, extensions = _schemas(kind)
        equality = simple_equality(expression)
        if equality is not None:
            attribute, value = equality
            named = "username" if kind is ResourceKind.USER else "displayname"
            if attribute.lower() == named and isinstance(value, str):
                # The lookup every identity provider makes before a
                # create: answered from the index.
                key = (
                    user_key(value, self._parse_email)
                    if kind is ResourceKind.USER
                    else value.casefold()
                )
                return self.store.named(ws, kind, key)
            if attribute.lower() == "id" and isinstance(value, str):
                one = self.store.get(ws, kind, value)
                return [] if one is None else [one]
        # Checked once for the scan, not once per resource.
        keep = matcher(expression, main, extensions)
        return [
            r for r in self.store.all(ws, kind) if keep(self._served(ws, r))
        ]

    def _discovery(
        self, head: str, ident: str | None, path: str
    ) -> ScimResponse:
        if head == "serviceproviderconfig":
            if ident is not None:
                raise _not_found(path)
            return ScimResponse(200, self._service_provider_config())
        if head == "resourcetypes":
            types = {
                t.name.lower(): resource_type_json(t)
                for t in (USER_TYPE, GROUP_TYPE)
            }
            return _one_or_list(types, ident, path)
        schemas = {
            s.id.lower(): schema_json(s)
            for s in (USER_SCHEMA, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA)
        }
        return _one_or_list(schemas, ident, path)

    def _service_provider_config(self) -> Mapping[str, Any]:
        limits = self.settings.limits
        return {
            "schemas": [_SERVICE_PROVIDER_CONFIG_URN],
            "documentationUri": "https://github.com/dirsync/dirsync",
            "patch": {"supported": True},
            "bulk": {
                "supported": False,
                "maxOperations": 0,
                "maxPayloadSize": 0,
            },
            "filter": {
                "supported": True,
                "maxResults": limits.max_results,
            },
            "changePassword": {"supported": False},
            "sort": {"supported": False},
            "etag": {"supported": False},
            "authenticationSchemes": [
                {
                    "type": "oauthbearertoken",
                    "name": "OAuth Bearer Token",
                    "description": "A bearer token issued per workspace.",
                    "primary": True,
                }
            ],
            "meta": {
                "resourceType": "ServiceProviderConfig",
                "location": f"{self.settings.base_url}/ServiceProviderConfig",
            },
        }

    def _location(self, kind: ResourceKind, ident: str) -> str:
        return f"{self.settings.base_url}/{_PLURAL[kind]}/{ident}"


def _member_ids(
    entries: list[dict[str, Any]], old: StoredResource | None
) -> frozenset[str]:
    """
    The ids *entries* list, as `validate_group` leaves them (objects,
    each with a string ``value``), for the group that replaces *old*.

    Adding members to a group of thousands leaves the entries before as
    they were: those ids are *old*'s, and only the new ones are read
    (reading every entry touches memory all over the heap).
    """
    if old is not None:
        before = old.body.get("members", ())
        if before and entries[: len(before)] == before:
            added = entries[len(before) :]
            return old.members.union(map(operator.itemgetter("value"), added))
    return frozenset(map(operator.itemgetter("value"), entries))


def _schemas(kind: ResourceKind) -> tuple[Any, tuple[Any, ...]]:
    if kind is ResourceKind.USER:
        return USER_SCHEMA, (ENTERPRISE_USER_SCHEMA,)
    return GROUP_SCHEMA, ()


def _without_member(group: StoredResource, member: str) -> StoredResource:
    body = dict(group.body)
    body["members"] = [
        m
        for m in body.get("members", [])
        if not (isinstance(m, Mapping) and m.get("value") == member)
    ]
    return attrs.evolve(group, body=body, members=group.members - {member})


def _one_or_list(
    items: Mapping[str, Mapping[str, Any]], ident: str | None, path: str
) -> ScimResponse:
    if ident is None:
        values = list(items.values())
        return ScimResponse(
            200,
            {
                "schemas": [LIST_RESPONSE_URN],
                "totalResults": len(values),
                "startIndex": 1,
                "itemsPerPage": len(values),
                "Resources": values,
            },
        )
    one = items.get(ident.lower())
    if one is None:
        raise _not_found(path)
    return ScimResponse(200, one)


def _allow(method: str, allowed: Sequence[str]) -> None:
    if method not in allowed:
        raise InvalidProvisioningEvent(
            405,
            f"{method} is not allowed here; allowed: {', '.join(allowed)}",
        )


def _not_found(what: str) -> InvalidProvisioningEvent:
    return InvalidProvisioningEvent(404, f"{what} was not found")
