"""
Scenario files (SPEC section 10): reading them, and writing outcomes.

A scenario is read in two passes.
``cattrs`` first checks its shape against the classes below, strictly
(unknown keys, wrong JSON types and unparsable emails are errors, with the
JSON path of the offending value); then the references between its parts
are checked while the `State` is built.
Either pass raises `InvalidScenario` before anything is replayed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.cols import list_structure_factory
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)
from cattrs.gen import make_dict_structure_fn, override

from ._errors import InvalidEmail, InvalidScenario, json_type
from ._events import (
    DirectoryEvent,
    EventType,
    PreviousValues,
    UserCreated,
    UserDeleted,
    UserUpdated,
)
from ._model import (
    STATEABLE,
    Account,
    AccountStatus,
    DirectoryLink,
    DirectoryUser,
    Domain,
    Email,
    Invitation,
    InvitationStatus,
    Profile,
    Role,
    Workspace,
)
from ._policy import EmailPolicy, Policy
from ._state import State

# The shape of a scenario file.  Field names are the JSON keys.


@attrs.frozen
class _PolicyIn:
    batch_limit: int = 100
    revoke_first: bool = True
    email_changes: EmailPolicy = EmailPolicy.ALWAYS
    max_attempts: int = 5
    interval_seconds: int = 300
    admin_groups: list[str] = attrs.Factory(list)


@attrs.frozen
class _WorkspaceIn:
    id: str
    owner: Email | None = None
    claimed_domains: list[Domain] = attrs.Factory(list)


@attrs.frozen
class _AccountIn:
    email: Email
    first_name: str | None = None
    last_name: str | None = None
    department: str | None = None
    title: str | None = None
    workspace: str | None = None
    status: AccountStatus = AccountStatus.ACTIVE
    role: Role | None = None
    directory_id: str | None = None
    created_by: str | None = None


@attrs.frozen
class _InvitationIn:
    workspace: str
    email: Email
    role: Role = Role.MEMBER
    status: InvitationStatus = InvitationStatus.PENDING


@attrs.frozen
class _UserIn:
    id: str
    email: Email | None = None
    first_name: str | None = None
    last_name: str | None = None
    department: str | None = None
    title: str | None = None
    role: Role | None = None
    active: bool | None = None
    # Not a JSON key: which attributes the file states (absent ones are
    # left alone, null ones are cleared).
    stated: frozenset[str] = frozenset()


@attrs.frozen
class _PreviousIn:
    email: Email | None = None
    first_name: str | None = None
    last_name: str | None = None
    department: str | None = None
    title: str | None = None
    role: Role | None = None
    active: bool | None = None


@attrs.frozen
class _EventIn:
    id: str
    workspace: str
    type: EventType
    user: _UserIn
    previous: _PreviousIn | None = None
    sequence: int | None = None
    timestamp: str | None = None


@attrs.frozen
class _ScenarioIn:
    policy: _PolicyIn = _PolicyIn()
    workspaces: list[_WorkspaceIn] = attrs.Factory(list)
    accounts: list[_AccountIn] = attrs.Factory(list)
    invitations: list[_InvitationIn] = attrs.Factory(list)
    events: list[_EventIn] = attrs.Factory(list)


@attrs.frozen
class ScimCall:
    """
    A SCIM request in a scenario (see ``docs/scim.md``): sent to the
    endpoint core for *workspace*, as if its identity provider had made
    it.

    Args:
        id: The scenario's name for the request.  A resource the request
            creates gets it as its SCIM ``id``, and the events it queues
            are named after it.
        workspace: The workspace whose directory sends it.
        method: The HTTP method.
        path: The path below the SCIM base URL, such as ``/Users``.
        query: The query string, without ``?``.
        body: The JSON body, or None for none.

    .. versionadded:: 0.1.0
    """

    id: str
    workspace: str
    method: str
    path: str
    query: str = ""
    body: Any = None


@attrs.frozen
class Scenario:
    """
    A scenario, read and checked: ready to `simulate`.

    Args:
        policy: The policy to replay under.
        state: The starting state.
        events: The directory events, in the order they are queued.
        inputs: The events and the SCIM requests together, in the order
            of the file; the events alone when it has no request.

    .. versionadded:: 0.1.0
    """

    policy: Policy
    state: State = attrs.field(eq=False)
    events: tuple[DirectoryEvent, ...]
    inputs: tuple[DirectoryEvent | ScimCall, ...] = attrs.field()

    @inputs.default
    def _events_only(self) -> tuple[DirectoryEvent | ScimCall, ...]:
        return self.events


_JSON_TYPES = {
    str: "a string",
    int: "an integer",
    bool: "true or false",
}


def _json_type(value: object) -> str:
    return json_type(value, array="a list")


def _strict(kind: type) -> Callable[[object, type], Any]:
    """
    A hook that takes a JSON value of exactly *kind*: cattrs would
    otherwise turn ``1`` into ``"1"`` and ``"false"`` into True.
    """

    def structure(value: object, _: type) -> Any:
        # bool is a subclass of int, and JSON keeps them apart.
        if type(value) is not kind:
            raise TypeError(
                f"expected {_JSON_TYPES[kind]}, got {_json_type(value)}"
            )
        return value

    return structure


def _enum_hook(value: object, kind: Any) -> Any:
    allowed = ", ".join(repr(member.value) for member in kind)
    for member in kind:
        if member.value == value:
            return member
    got = repr(value) if isinstance(value, str) else _json_type(value)
    raise ValueError(f"expected one of {allowed}, got {got}")


def _email_hook(value: object, _: type) -> Email:
    if not isinstance(value, str):
        raise TypeError(f"expected an email string, got {_json_type(value)}")
    return Email.parse(value)


def _domain_hook(value: object, _: type) -> Domain:
    if not isinstance(value, str):
        raise TypeError(f"expected a domain string, got {_json_type(value)}")
    try:
        return Domain.parse(value)
    except InvalidEmail as e:
        raise ValueError(f"{value!r} is not a valid domain: {e.why}") from e


def _converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True)
    for kind in (str, int, bool):
        converter.register_structure_hook(kind, _strict(kind))
    for enum_kind in (
        EmailPolicy,
        AccountStatus,
        Role,
        InvitationStatus,
        EventType,
    ):
        converter.register_structure_hook(enum_kind, _enum_hook)
    converter.register_structure_hook(Email, _email_hook)
    converter.register_structure_hook(Domain, _domain_hook)

    # Objects must be JSON objects, and lists JSON lists: cattrs alone
    # would iterate over a string or take a dict's keys.
    records = (
        _PolicyIn,
        _WorkspaceIn,
        _AccountIn,
        _InvitationIn,
        _UserIn,
        _PreviousIn,
        _EventIn,
        _ScenarioIn,
    )

    def record_hook(kind: type) -> Callable[[object, type], Any]:
        base: Callable[[Any, Any], Any]
        if kind is _UserIn:
            base = make_dict_structure_fn(
                kind,
                converter,
                _cattrs_forbid_extra_keys=True,
                stated=override(omit=True),
            )
        else:
            base = make_dict_structure_fn(
                kind, converter, _cattrs_forbid_extra_keys=True
            )

        def structure(value: object, _: type) -> Any:
            if not isinstance(value, dict):
                raise TypeError(f"expected an object, got {_json_type(value)}")
            result = base(value, kind)
            if kind is _UserIn:
                stated = frozenset(k for k in value if k in STATEABLE)
                result = attrs.evolve(result, stated=stated)
            return result

        return structure

    converter.register_structure_hook_factory(
        lambda kind: kind in records, record_hook
    )

    def list_hook(kind: type) -> Callable[[object, type], Any]:
        base = list_structure_factory(kind, converter)

        def structure(value: object, _: type) -> Any:
            if not isinstance(value, list):
                raise TypeError(f"expected a list, got {_json_type(value)}")
            return base(value, kind)

        return structure

    converter.register_structure_hook_factory(
        lambda kind: getattr(kind, "__origin__", None) is list, list_hook
    )
    return converter


_CONVERTER = _converter()


def _key_path(path: str, key: object) -> str:
    """
    The JSON path of *key* in the object at *path*.
    """
    if isinstance(key, str) and key.isidentifier():
        return f"{path}.{key}"
    if isinstance(key, str):
        return f"{path}[{json.dumps(key, ensure_ascii=False)}]"
    return f"{path}[{key!r}]"


def _problems(exc: BaseException, path: str) -> Iterator[tuple[str, str]]:
    """
    The (where, why) of each problem in a cattrs validation error: like
    `cattrs.transform_error`, but an unknown key's path is the key's own.
    """
    if isinstance(exc, ClassValidationError | IterableValidationError):
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            if isinstance(note, AttributeValidationNote):
                where = f"{path}.{note.name}"
            else:
                where = f"{path}[{note.index!r}]"
            yield from _problems(sub, where)
        for sub in without:
            yield from _problems(sub, path)
    elif isinstance(exc, ForbiddenExtraKeysError):
        allowed = ", ".join(
            sorted(
                field.name
                for field in attrs.fields(exc.cl)
                if field.init and field.name != "stated"
            )
        )
        for key in sorted(exc.extra_fields, key=repr):
            yield (
                _key_path(path, key),
                f"unknown key {key!r}; allowed keys are {allowed}",
            )
    elif isinstance(exc, KeyError):
        yield (path, "required key missing")
    else:
        yield (path, str(exc))


def read_scenario(document: object) -> Scenario:
    """
    Check a scenario (a parsed JSON document) and build its `Scenario`.

    Args:
        document: The JSON document, as `json.loads` returns it.

    Raises:
        InvalidScenario: The document is not a valid scenario; the error
            names the offending key or value.

    .. versionadded:: 0.1.0
    """
    if not isinstance(document, dict):
        raise InvalidScenario(
            "$", f"a scenario is a JSON object, not {_json_type(document)}"
        )
    # SCIM requests are read apart from the events; *plain* maps the
    # index of an event among the events to its index in the file.
    events = document.get("events")
    calls: dict[int, object] = {}
    plain: list[int] = []
    if isinstance(events, list):
        for i, item in enumerate(events):
            if isinstance(item, dict) and "scim" in item:
                calls[i] = item
            else:
                plain.append(i)
        document = {**document, "events": [events[i] for i in plain]}
    try:
        try:
            raw = _CONVERTER.structure(document, _ScenarioIn)
        except ClassValidationError as e:
            raise _invalid(e, "$") from None
        scenario = _build(raw)
    except InvalidScenario as e:
        raise _renumbered(e, plain) from None
    if not calls:
        return scenario

    inputs: list[DirectoryEvent | ScimCall] = []
    queued = iter(scenario.events)
    for i in range(len(plain) + len(calls)):
        if i in calls:
            inputs.append(
                _scim_call(f"$.events[{i}]", calls[i], scenario.state)
            )
        else:
            inputs.append(next(queued))
    return attrs.evolve(scenario, inputs=tuple(inputs))


def _renumbered(error: InvalidScenario, plain: list[int]) -> InvalidScenario:
    """
    *error*, with the index of an event among the events replaced by its
    index in the file.
    """
    found = re.match(r"\$\.events\[(\d+)\]", error.where)
    if found is None:
        return error
    number = plain[int(found.group(1))]
    return InvalidScenario(
        f"$.events[{number}]{error.where[found.end() :]}", error.why
    )


_SCIM_CALL_KEYS = ("id", "workspace", "scim")
_SCIM_KEYS = ("method", "path", "query", "body")
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _scim_call(where: str, item: object, state: State) -> ScimCall:
    assert isinstance(item, dict)
    _known_keys(where, item, _SCIM_CALL_KEYS)
    ident = _text_at(f"{where}.id", item.get("id"))
    workspace = _text_at(f"{where}.workspace", item.get("workspace"))
    if workspace not in state.workspaces:
        raise InvalidScenario(
            f"{where}.workspace", f"unknown workspace {workspace!r}"
        )
    scim = item["scim"]
    where = f"{where}.scim"
    if not isinstance(scim, dict):
        raise InvalidScenario(
            where, f"a SCIM request is an object, not {_json_type(scim)}"
        )
    _known_keys(where, scim, _SCIM_KEYS)
    method = _text_at(f"{where}.method", scim.get("method"))
    if method.upper() not in _METHODS:
        raise InvalidScenario(
            f"{where}.method",
            f"{method!r} is not one of {', '.join(_METHODS)}",
        )
    path = _text_at(f"{where}.path", scim.get("path"))
    if not path.startswith("/"):
        raise InvalidScenario(
            f"{where}.path", f"{path!r} does not start with '/'"
        )
    query = scim.get("query", "")
    if not isinstance(query, str):
        raise InvalidScenario(
            f"{where}.query", f"expected a string, not {_json_type(query)}"
        )
    return ScimCall(
        ident, workspace, method.upper(), path, query, scim.get("body")
    )


def _known_keys(
    where: str, item: Mapping[str, object], allowed: tuple[str, ...]
) -> None:
    for key in item:
        if key not in allowed:
            raise InvalidScenario(
                _key_path(where, key),
                f"unknown key {key!r}; allowed keys are {', '.join(allowed)}",
            )


def _text_at(where: str, value: object) -> str:
    if value is None:
        raise InvalidScenario(where, "required key missing")
    if not isinstance(value, str):
        raise InvalidScenario(
            where, f"expected a string, not {_json_type(value)}"
        )
    return value


def read_event(
    document: object, workspaces: Collection[str], where: str = "$"
) -> DirectoryEvent:
    """
    Check one event in the scenario form (an element of ``events``) and
    build it.

    Args:
        document: The event, as `json.loads` returns it.
        workspaces: The workspaces that exist.
        where: The JSON path of *document*, for error messages.

    Raises:
        InvalidScenario: The event is not valid, or names an unknown
            workspace.

    .. versionadded:: 0.1.0
    """
    if not isinstance(document, dict):
        raise InvalidScenario(
            where, f"an event is a JSON object, not {_json_type(document)}"
        )
    try:
        raw = _CONVERTER.structure(document, _EventIn)
    except ClassValidationError as e:
        raise _invalid(e, where) from None
    return _event(where, raw, workspaces)


def _invalid(error: ClassValidationError, where: str) -> InvalidScenario:
    """
    The first problem of *error*, and how many more there are.
    """
    problems = list(_problems(error, where))
    where, why = problems[0]
    more = len(problems) - 1
    if more:
        why += f" (and {more} more problem{'s' if more > 1 else ''})"
    return InvalidScenario(where, why)


def load_scenario(text: str | bytes) -> Scenario:
    """
    Parse a scenario file's text; see `read_scenario`.

    Raises:
        InvalidScenario: The text is not JSON, or not a valid scenario.

    .. versionadded:: 0.1.0
    """
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as e:
        raise InvalidScenario("$", f"not valid JSON: {e}") from None
    return read_scenario(document)


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def _build(raw: _ScenarioIn) -> Scenario:
    for key in ("batch_limit", "max_attempts", "interval_seconds"):
        value = getattr(raw.policy, key)
        if value < 1:
            raise InvalidScenario(
                f"$.policy.{key}", f"must be at least 1, not {value}"
            )
    try:
        interval = timedelta(seconds=raw.policy.interval_seconds)
    except OverflowError:
        raise InvalidScenario(
            "$.policy.interval_seconds",
            f"{raw.policy.interval_seconds} is too large",
        ) from None
    # The limits were checked above, so Policy accepts them.
    policy = Policy(
        interval=interval,
        batch_limit=raw.policy.batch_limit,
        max_attempts=raw.policy.max_attempts,
        revoke_first=raw.policy.revoke_first,
        email_changes=raw.policy.email_changes,
        admin_groups=frozenset(raw.policy.admin_groups),
    )

    state = State()
    for i, workspace in enumerate(raw.workspaces):
        _at(
            f"$.workspaces[{i}].id",
            state.add_workspace,
            Workspace(
                workspace.id,
                workspace.owner,
                frozenset(workspace.claimed_domains),
            ),
        )
    only = next(iter(state.workspaces)) if len(state.workspaces) == 1 else None

    invited_to: dict[str, str] = {}
    for invitation in raw.invitations:
        invited_to.setdefault(invitation.email.key, invitation.workspace)
    for i, account in enumerate(raw.accounts):
        where = f"$.accounts[{i}]"
        for key in ("workspace", "created_by"):
            name = getattr(account, key)
            if name is not None and name not in state.workspaces:
                raise InvalidScenario(
                    f"{where}.{key}", f"unknown workspace {name!r}"
                )
        earlier = state.find(account.email.key)
        if earlier is not None:
            raise InvalidScenario(
                f"{where}.email",
                f"an account with {account.email} exists already "
                f"($.accounts[{earlier}], {state.accounts[earlier].email})",
            )
        link = None
        if account.directory_id is not None:
            # The file names the directory user, not the directory: it
            # is the workspace's the account is in or invited to, or was
            # created by; failing that, any workspace's.
            scope = (
                account.workspace
                or invited_to.get(account.email.key)
                or account.created_by
                or only
            )
            link = DirectoryLink(scope, account.directory_id)
        _at(
            where,
            state.add_account,
            Account(
                email=account.email,
                profile=Profile(
                    account.first_name,
                    account.last_name,
                    account.department,
                    account.title,
                ),
                workspace=account.workspace,
                status=account.status,
                role=account.role,
                link=link,
                created_by=account.created_by,
            ),
        )

    for i, invitation in enumerate(raw.invitations):
        where = f"$.invitations[{i}]"
        if invitation.workspace not in state.workspaces:
            raise InvalidScenario(
                f"{where}.workspace",
                f"unknown workspace {invitation.workspace!r}",
            )
        number = state.find(invitation.email.key)
        if number is None:
            # An invited person always has an account; the file may
            # leave out a plain one (SPEC's own example does).
            state.add_account(Account(email=invitation.email))
        elif (invitation.workspace, number) in state.invitations:
            raise InvalidScenario(
                f"{where}.email",
                f"{invitation.email} is invited to "
                f"{invitation.workspace!r} already",
            )
        _at(
            f"{where}.email",
            state.add_invitation,
            Invitation(
                invitation.workspace,
                invitation.email,
                invitation.role,
                invitation.status,
            ),
        )

    events = tuple(
        _event(f"$.events[{i}]", event, state.workspaces)
        for i, event in enumerate(raw.events)
    )
    return Scenario(policy, state, events)


_A = TypeVar("_A")


def _at(where: str, add: Callable[[_A], object], value: _A) -> None:
    try:
        add(value)
    except ValueError as e:
        raise InvalidScenario(where, str(e)) from None


def _event(
    where: str, raw: _EventIn, workspaces: Collection[str]
) -> DirectoryEvent:
    if raw.workspace not in workspaces:
        raise InvalidScenario(
            f"{where}.workspace", f"unknown workspace {raw.workspace!r}"
        )
    occurred_at = None
    if raw.timestamp is not None:
        occurred_at = _timestamp(f"{where}.timestamp", raw.timestamp)
    envelope: Mapping[str, Any] = {
        "id": raw.id,
        "workspace": raw.workspace,
        "sequence": raw.sequence,
        "occurred_at": occurred_at,
    }
    user = raw.user
    if raw.previous is not None and raw.type is not EventType.USER_UPDATED:
        raise InvalidScenario(
            f"{where}.previous", "only user.updated events have previous"
        )
    if raw.type is EventType.USER_DELETED:
        return UserDeleted(user_id=user.id, email=user.email, **envelope)
    if user.email is None:
        raise InvalidScenario(
            f"{where}.user.email", f"required for {raw.type.value}"
        )
    stated = user.stated if user.role is not None else user.stated - {"role"}
    directory_user = DirectoryUser(
        id=user.id,
        email=user.email,
        profile=Profile(
            user.first_name, user.last_name, user.department, user.title
        ),
        role=user.role or Role.MEMBER,
        active=True if user.active is None else user.active,
        stated=stated,
    )
    if raw.type is EventType.USER_CREATED:
        return UserCreated(user=directory_user, **envelope)
    previous = raw.previous or _PreviousIn()
    return UserUpdated(
        user=directory_user,
        previous=PreviousValues(
            email=previous.email, role=previous.role, active=previous.active
        ),
        **envelope,
    )


def _timestamp(where: str, text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidScenario(
            where, f"{text!r} is not an ISO 8601 date and time"
        ) from None
    if moment.tzinfo is None:
        # A time without a zone is read as UTC, as SCIM's meta times are.
        moment = moment.replace(tzinfo=UTC)
    return moment
