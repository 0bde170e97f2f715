"""
How fast the SCIM endpoint answers what Okta and Entra ID send.

Prints, each the median of several runs on one core:

- requests per second through `dirsync.scim.Endpoint.handle` on the
  memory mirror (`MemoryDirectory` over a `MemoryInbox`) for a day's mix
  of Okta and Entra ID requests (the table in ``docs/performance.md``);
- per write request (the POSTs, PUTs and PATCHes of that mix), the
  endpoint against validating and applying the same bodies with
  scim2-models, and the ratio of the two;
- parsing one Entra ID User body with the enterprise extension into a
  `dirsync.DirectoryUser`: `dirsync.scim.loads`,
  `dirsync.scim.validate_user` and `dirsync.scim.user_from_resource`,
  with a `dirsync.EmailParser` as the endpoint has one; every address is
  new, at a domain the parser has seen (a tenant's users share a few
  domains).

What the comparison with scim2-models compares.
On our side, `Endpoint.handle` does the whole request: the strict JSON
reader, validation, the PATCH, the uniqueness check, the mapping to a
`DirectoryUser`, the events, the commit to the mirror and the response
body.
On theirs, only validation and application: `json.loads`, then
``User[EnterpriseUser].model_validate`` (in the creation or replacement
request context) for a POST or PUT, and
``PatchOp[User[EnterpriseUser]].model_validate`` (or ``PatchOp[Group]``)
in the PATCH request context followed by ``patch`` on a model validated
beforehand, as a mirror would hold it.
Their default policy refuses two of the Entra dialects in the mix (a
``Remove`` of ``members`` with a value, and ``replace`` of
``emails[type eq "work"].value`` on a user with no work email, which
the mix does not send), so they run under
``ScimPolicy(remove_value_as_filter="apply",
unmatched_path_filter="create")``, the tolerances dirsync grants too.
The benchmark checks, untimed, that both sides accept every body; what
each refuses beyond the mix is in the test suites, and where dirsync is
the more lenient it is so on purpose (``docs/scim.md``, "Dialects
handled"): Entra's string booleans, and unknown sub-attributes in a
value, which dirsync drops.
Both validate emails with ``email-validator``.

Run it with ``make bench`` or ``python benchmarks/bench_scim.py``.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from scim2_models import (
    Context,
    EnterpriseUser,
    Group,
    PatchOp,
    ScimPolicy,
    User,
)

from dirsync import EmailParser, Policy
from dirsync.scim import (
    Endpoint,
    ResourceKind,
    ScimRequest,
    loads,
    user_from_resource,
    validate_user,
)
from dirsync.scim import Limits as ScimLimits
from dirsync.stores.memory import MemoryDirectory, MemoryInbox

#: As in ``bench_shell.py``: this process's CPU time, since on a shared
#: virtual machine the time other guests take swamps wall-clock figures.
cpu = time.process_time

WORKSPACE = "acme"
NOW = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
DEPARTMENTS = ("R&D", "Sales", "Ops", "Support", "Finance", "Legal")

#: The mix, in percent: what a day of Okta and Entra ID traffic holds.
MIX = {
    "POST /Users (Okta)": 10.0,
    "POST /Users (Entra, enterprise)": 10.0,
    "PUT /Users (Okta)": 10.0,
    "PATCH /Users active false (Okta)": 10.0,
    'PATCH /Users emails[type eq "work"].value (Entra)': 7.0,
    "PATCH /Users name.familyName (Entra)": 7.0,
    "PATCH /Users enterprise department (Entra)": 7.0,
    'PATCH /Users active "False" (Entra)': 7.0,
    "PATCH /Users no path, dotted keys (Entra)": 7.0,
    'GET /Users?filter=userName eq "..."': 15.0,
    "PATCH /Groups add members (Entra)": 2.5,
    "PATCH /Groups remove members, legacy (Entra)": 2.5,
    "PATCH /Groups add members (Okta)": 2.5,
    'PATCH /Groups remove members[value eq "..."] (Okta)': 2.5,
}

UserModel = User[EnterpriseUser]
TOLERANT = ScimPolicy(
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)


def _bytes(value: Any) -> bytes:
    return json.dumps(value).encode()


# 1. Bodies, as the identity providers write them.


def okta_user(n: int, given: str = "First", *, with_id: str = "") -> Any:
    """
    Okta's ``POST /Users`` body ("SCIM 2.0 Protocol Reference"), or with
    *with_id* its ``PUT``, which repeats the read-only ``id``, ``meta``
    and ``groups``.
    """
    body: dict[str, Any] = {
        "schemas": [CORE],
        "userName": f"user{n}@acme.com",
        "name": {"givenName": f"{given}{n}", "familyName": f"Last{n}"},
        "emails": [
            {"primary": True, "value": f"user{n}@acme.com", "type": "work"}
        ],
        "displayName": f"{given}{n} Last{n}",
        "locale": "en-US",
        "externalId": f"00u{n:016x}",
        "groups": [],
        "password": "1mz050nq",
        "active": True,
    }
    if with_id:
        del body["password"]
        body["id"] = with_id
        body["meta"] = {"resourceType": "User"}
    return body


def entra_user(n: int, domain: str = "acme.com") -> Any:
    """
    Entra ID's ``POST /Users`` body ("Tutorial: Develop and plan
    provisioning for a SCIM endpoint"), with the enterprise extension.
    """
    return {
        "schemas": [CORE, ENTERPRISE],
        "externalId": f"0a21f0f2-8d2a-4f8e-bf98-{n:012x}",
        "userName": f"user{n}@{domain}",
        "active": True,
        "displayName": f"First{n} Last{n}",
        "title": "Engineer",
        "emails": [
            {"primary": True, "type": "work", "value": f"user{n}@{domain}"}
        ],
        "meta": {"resourceType": "User"},
        "name": {
            "formatted": f"First{n} Last{n}",
            "familyName": f"Last{n}",
            "givenName": f"First{n}",
        },
        "roles": [],
        ENTERPRISE: {
            "employeeNumber": str(100_000 + n),
            "department": DEPARTMENTS[n % len(DEPARTMENTS)],
        },
    }


def _patch(*operations: Any) -> Any:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


# 2. The mirror and the workload.


class Mirror:
    """
    A fresh endpoint on a memory mirror of *users* users in *groups*
    groups (the first, "Admins", an admin group), built through the
    endpoint itself; ids are deterministic, so every build is the same.
    """

    def __init__(self, users: int, groups: int) -> None:
        counter = itertools.count()
        self.endpoint = Endpoint(
            MemoryDirectory(MemoryInbox()),
            new_id=lambda: f"{next(counter):08x}",
            now=lambda: NOW,
            policy=Policy(admin_groups=frozenset({"Admins"})),
        )
        self.users = [
            self.send("POST", "/Users", body=_bytes(self.seed_user(n)))["id"]
            for n in range(users)
        ]
        self.groups = []
        for g in range(groups):
            body = {
                "schemas": [GROUP],
                "displayName": "Admins" if g == 0 else f"Group {g}",
                "members": [{"value": u} for u in self.users[g::groups]],
            }
            self.groups.append(
                self.send("POST", "/Groups", body=_bytes(body))["id"]
            )

    @staticmethod
    def seed_user(n: int) -> Any:
        return entra_user(n) if n % 2 else okta_user(n)

    def send(self, method: str, path: str, body: bytes = b"") -> Any:
        request = ScimRequest(method, path, WORKSPACE, body=body)
        response = self.endpoint.handle(request)
        assert response.status < 300, (response.status, response.body)
        return response.body


def workload(
    count: int, mirror: Mirror, seed: int = 1
) -> list[tuple[str, ScimRequest]]:
    """
    *count* requests of the mix, each with its kind, in a shuffled but
    fixed order.
    """
    rng = random.Random(seed)
    users, groups = mirror.users, mirror.groups
    kinds = [
        kind
        for kind, share in MIX.items()
        for _ in range(round(count * share / 100))
    ]
    rng.shuffle(kinds)
    fresh = itertools.count(len(users))

    def request(kind: str, k: int) -> ScimRequest:
        n = rng.randrange(len(users))
        uid = users[n]
        gid = rng.choice(groups)
        ops: Any
        if kind.startswith("POST"):
            made = next(fresh)
            body = entra_user(made) if "Entra" in kind else okta_user(made)
            return ScimRequest("POST", "/Users", WORKSPACE, body=_bytes(body))
        if kind.startswith("PUT"):
            body = okta_user(n, given=f"Put{k}-", with_id=uid)
            return ScimRequest(
                "PUT", f"/Users/{uid}", WORKSPACE, body=_bytes(body)
            )
        if kind.startswith("GET"):
            name = f"user{n if k % 2 else next(fresh)}@acme.com"
            query = "filter=" + quote(f'userName eq "{name}"')
            return ScimRequest("GET", "/Users", WORKSPACE, query=query)
        if "active false" in kind:
            ops = {"op": "replace", "value": {"active": k % 2 == 1}}
        elif "emails" in kind:
            ops = {
                "op": "Replace",
                "path": 'emails[type eq "work"].value',
                "value": f"first{n}.{k}@acme.com",
            }
        elif "familyName" in kind:
            ops = {
                "op": "Replace",
                "path": "name.familyName",
                "value": f"L{k}",
            }
        elif "department" in kind:
            ops = {
                "op": "Replace",
                "path": f"{ENTERPRISE}:department",
                "value": DEPARTMENTS[k % len(DEPARTMENTS)],
            }
        elif 'active "False"' in kind:
            ops = {
                "op": "Replace",
                "path": "active",
                "value": "True" if k % 2 else "False",
            }
        elif "dotted" in kind:
            ops = {
                "op": "Replace",
                "value": {
                    "name.givenName": f"G{k}",
                    f"{ENTERPRISE}:department": "Ops",
                    "title": "Manager",
                },
            }
        elif "add" in kind:
            member: dict[str, Any] = {"value": uid}
            if "Okta" in kind:
                member["display"] = f"user{n}@acme.com"
            return _group_patch(gid, {"op": "add", "path": "members"}, member)
        elif "legacy" in kind:
            return _group_patch(
                gid, {"op": "Remove", "path": "members"}, {"value": uid}
            )
        else:
            path = f'members[value eq "{uid}"]'
            body = _patch({"op": "remove", "path": path})
            return ScimRequest(
                "PATCH", f"/Groups/{gid}", WORKSPACE, body=_bytes(body)
            )
        return ScimRequest(
            "PATCH", f"/Users/{uid}", WORKSPACE, body=_bytes(_patch(ops))
        )

    return [(kind, request(kind, k)) for k, kind in enumerate(kinds)]


def _group_patch(gid: str, op: dict[str, Any], member: Any) -> ScimRequest:
    if op["op"] == "add":
        op = {**op, "op": "Add" if "display" not in member else "add"}
    body = _patch({**op, "value": [member]})
    return ScimRequest("PATCH", f"/Groups/{gid}", WORKSPACE, body=_bytes(body))


# 3. The timed runs.


def _frozen(once: Callable[[], float]) -> float:
    # As in bench_shell.py: the harness's heap is frozen, so that a full
    # collection of it falls in no timed run by chance.
    gc.collect()
    gc.freeze()
    try:
        return once()
    finally:
        gc.unfreeze()


def _endpoint_run(
    users: int, groups: int, requests: list[ScimRequest]
) -> Callable[[], float]:
    return _over(requests, lambda: Mirror(users, groups).endpoint.handle)


def _over(
    requests: list[ScimRequest], make: Callable[[], Callable[[Any], object]]
) -> Callable[[], float]:
    """
    A run that times the function *make* builds (untimed) over every
    request.
    """

    def once() -> float:
        step = make()

        def timed() -> float:
            start = cpu()
            for request in requests:
                step(request)
            return cpu() - start

        return _frozen(timed)

    return once


def _scim2_models(mirror: Mirror) -> tuple[dict[str, Any], dict[str, Any]]:
    """
    The mirror's users and groups as scim2-models models, as a server on
    scim2-models would hold them.
    """
    store = mirror.endpoint.store
    served = mirror.endpoint._served  # the body a GET would return
    users = {
        r.id: UserModel.model_validate(dict(served(WORKSPACE, r)))
        for r in store.all(WORKSPACE, ResourceKind.USER)
    }
    groups = {
        r.id: Group.model_validate(dict(r.body))
        for r in store.all(WORKSPACE, ResourceKind.GROUP)
    }
    return users, groups


def _scim2_step(
    users: dict[str, Any], groups: dict[str, Any]
) -> Callable[[ScimRequest], Any]:
    user_patch = PatchOp[UserModel]
    group_patch = PatchOp[Group]

    def step(request: ScimRequest) -> Any:
        body = json.loads(request.body)
        if request.method == "POST":
            return UserModel.model_validate(
                body,
                scim_ctx=Context.RESOURCE_CREATION_REQUEST,
                scim_policy=TOLERANT,
            )
        if request.method == "PUT":
            return UserModel.model_validate(
                body,
                scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST,
                scim_policy=TOLERANT,
            )
        kind, ident = request.path.split("/")[1:]
        patch_type, table = (
            (user_patch, users) if kind == "Users" else (group_patch, groups)
        )
        patch = patch_type.model_validate(
            body, scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=TOLERANT
        )
        return patch.patch(table[ident], scim_policy=TOLERANT)

    return step


def _scim2_run(
    users: int, groups: int, requests: list[ScimRequest]
) -> Callable[[], float]:
    return _over(
        requests, lambda: _scim2_step(*_scim2_models(Mirror(users, groups)))
    )


def _parse_run(bodies: int) -> Callable[[], float]:
    # A new set of bodies, with new addresses at a new domain, and a new
    # parser on every run: a run must not find what an earlier one
    # parsed in a cache.  Within a run the domain repeats, as a
    # tenant's does, and the parser remembers it as the endpoint's does.
    runs = itertools.count()
    limits = ScimLimits()

    def once() -> float:
        run = next(runs)
        texts = [
            _bytes(entra_user(n, domain=f"r{run}.acme.com"))
            for n in range(bodies)
        ]
        parse = EmailParser()

        def timed() -> float:
            start = cpu()
            for n, text in enumerate(texts):
                user_from_resource(
                    validate_user(loads(text, limits)),
                    id=str(n),
                    parse_email=parse,
                )
            return cpu() - start

        return _frozen(timed)

    return once


def _check(
    users: int, groups: int, work: list[tuple[str, ScimRequest]]
) -> None:
    """
    Untimed: every request of the mix succeeds on the endpoint, and
    scim2-models accepts every write; a refusal stops the benchmark.
    """
    mirror = Mirror(users, groups)
    step = _scim2_step(*_scim2_models(Mirror(users, groups)))
    failed: Counter[str] = Counter()
    for kind, request in work:
        response = mirror.endpoint.handle(request)
        if response.status >= 300:
            failed[f"dirsync {kind}: {response.status}"] += 1
        if request.method == "GET":
            continue
        try:
            step(request)
        except Exception as e:  # reported, then stop
            failed[f"scim2-models {kind}: {type(e).__name__}"] += 1
    if failed:
        raise SystemExit(f"refused: {dict(failed)}")


def _paired(
    runs: int, first: Callable[[], float], second: Callable[[], float]
) -> tuple[float, float, float]:
    """
    As in bench_shell.py: the median of each, and the median of the
    ratios second / first of runs made a moment apart.
    """
    pairs = [(first(), second()) for _ in range(runs)]
    return (
        statistics.median(a for a, _ in pairs),
        statistics.median(b for _, b in pairs),
        statistics.median(b / a for a, b in pairs),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=3_000)
    parser.add_argument("--groups", type=int, default=30)
    parser.add_argument("--bodies", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    mirror = Mirror(args.users, args.groups)
    work = workload(args.requests, mirror)
    _check(args.users, args.groups, work)
    every = [request for _, request in work]
    writes = [r for r in every if r.method != "GET"]

    n, w = len(every), len(writes)
    mix_time = statistics.median(
        _endpoint_run(args.users, args.groups, every)()
        for _ in range(args.runs)
    )
    ours, theirs, ratio = _paired(
        args.runs,
        _endpoint_run(args.users, args.groups, writes),
        _scim2_run(args.users, args.groups, writes),
    )
    parse = statistics.median(
        _parse_run(args.bodies)() for _ in range(args.runs)
    )

    print(
        f"scim: {n:,} requests of the Okta and Entra mix on a mirror of "
        f"{args.users:,} users in {args.groups} groups, "
        f"median of {args.runs}"
    )
    print(
        f"  endpoint      {n / mix_time:>10,.0f} requests/s"
        f"  ({mix_time / n * 1e6:.1f} us each; target >= 20,000/s)"
    )
    print(
        f"  writes        {ours / w * 1e6:>10.1f} us each (dirsync), "
        f"{theirs / w * 1e6:.1f} us (scim2-models): "
        f"{ratio:.1f}x (target >= 10x)"
    )
    print(
        f"  parse a User  {parse / args.bodies * 1e6:>10.1f} us each"
        " (Entra body with the enterprise extension; target <= 20 us)"
    )


if __name__ == "__main__":
    main()
