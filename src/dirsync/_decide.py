"""
Deciding what one directory event means for one workspace.

Theory of operation
-------------------

`decide` is a pure function of an event, the `Situation` the host loaded
for it, and the `Policy`.
It reads no clock, does no I/O and keeps no state, so the same inputs
always give the same `Decision`, and a host can test, replay or preview
decisions freely.

It works in four steps:

1. Events already processed, and events older than what was applied for
   the same directory user, are recorded as skipped (SPEC section 8).
2. The event is classified.
   An inactive or deleted user deprovisions, whatever came before.
   A creation, or an update with evidence that ``active`` went from false
   to true, provisions.
   Anything else is an update.
   Reading ``active`` this asymmetrically errs on the side of removing
   access (SPEC section 4).
3. A rule is chosen from `dirsync.RULES` by the standing (SPEC section 3)
   and, for deprovisioning, by ownership and link.
   Updates route through U-UNKNOWN, U-OUTSIDE and U-DEACTIVATED, then fire
   U-EMAIL, U-PROFILE and U-ROLE for each attribute that changed.
4. The rule's steps become actions.
   A step that would change nothing is left out, so that deciding the
   same event again against the state it produced orders nothing new;
   a decision with no action left records a ``no_change`` skip.
   Guards turn a change into an escalation.

Every rule that fired is named in the decision, in the order it fired.
"""

from __future__ import annotations

from collections.abc import Callable

from ._actions import (
    Action,
    ActionName,
    ChangeEmail,
    CreateAccount,
    Deactivate,
    Escalate,
    Link,
    Reactivate,
    RevokeInvitation,
    SendInvitation,
    SetRole,
    Skip,
    SkipReason,
    UpdateProfile,
)
from ._decision import Decision
from ._events import DirectoryEvent, UserCreated, UserDeleted, UserUpdated
from ._model import (
    PROFILE_FIELDS,
    STATEABLE,
    DirectoryUser,
    Email,
    Profile,
    Role,
)
from ._policy import DEFAULT_POLICY, EmailPolicy, Policy
from ._rules import BY_ID, DEPROVISIONING, PROVISIONING, RULES, Rule
from ._standing import (
    IN_REACH,
    DirectoryRecord,
    Situation,
    Standing,
    standing_of,
)


def decide(
    event: DirectoryEvent,
    situation: Situation,
    policy: Policy = DEFAULT_POLICY,
) -> Decision:
    """
    Decide what *event* means for the person *situation* describes.

    Pure and total: every valid event and situation gets a decision,
    and nothing is read or written.

    Args:
        event: The directory event.
        situation: What the host knows of the event's person in the
            event's workspace; see `Situation` for how to load it.
        policy: The policy in force.

    Returns:
        The decision, naming the rules that fired and the actions to
        apply.

    Raises:
        ValueError: *situation* belongs to another workspace than
            *event*.

    .. versionadded:: 0.1.0
    """
    if situation.workspace.id != event.workspace:
        raise ValueError(
            f"event {event.id!r} belongs to workspace {event.workspace!r} "
            f"but the situation to {situation.workspace.id!r}"
        )

    # 1. Duplicates and stale events change nothing.
    standing = standing_of(situation)
    if situation.processed:
        return _skipped(event, situation, standing, SkipReason.DUPLICATE)
    record = situation.record
    if record is not None and _is_stale(event, record):
        return _skipped(event, situation, standing, SkipReason.STALE)

    # 2. Deprovisioning: a deleted or inactive user.  Its outcomes do
    # not depend on the details, so they are constants.
    if isinstance(event, UserDeleted) or not event.user.active:
        owner = standing is Standing.MEMBER and situation.is_owner
        rule = DEPROVISIONING[standing, owner, situation.linked]
        return Decision(
            event.id,
            event.workspace,
            standing,
            (rule.id,),
            _CONSTANT_OUTCOMES[rule.id],
            _subject(event, situation),
        )

    # 3. Provisioning, or an update routed by link and reach.
    user = event.user
    account = situation.account
    if (
        account is not None
        and situation.linked
        and (standing is Standing.MEMBER or standing is Standing.INVITED)
        and isinstance(event, UserUpdated)
        and user.email.key == account.email.key
        and user.profile == account.profile
        and not _reactivates(event, record)
        and not _role_changes(user, situation, standing)
    ):
        # Most updates change nothing that is synced: an IdP resends the
        # whole user when anything about them changes.  This is the
        # general path below with nothing to do, without its overhead.
        return Decision(
            event.id,
            event.workspace,
            standing,
            (),
            _NO_CHANGE,
            account.email.address,
        )
    plan = _Plan(event, user, situation, policy, standing)
    if isinstance(event, UserCreated) or _reactivates(event, record):
        plan.provision()
    elif not situation.linked and standing is not Standing.DEACTIVATED_MEMBER:
        plan.rules.append("U-UNKNOWN")
        plan.provision()
    elif standing not in IN_REACH:
        plan.rules.append("U-OUTSIDE")
        plan.actions.append(_SKIPS[SkipReason.OUTSIDE_WORKSPACE])
    else:
        if not situation.linked:
            # A member deactivated by hand whose email the IdP now
            # provisions: link them as P-MEMBER would, but an ordinary
            # update never reactivates (U-DEACTIVATED).
            plan.rules.append("U-UNKNOWN")
            plan.link()
        if standing is Standing.DEACTIVATED_MEMBER:
            plan.rules.append("U-DEACTIVATED")
        plan.change_email()
        plan.update_profile("U-PROFILE")
        plan.set_role("U-ROLE")

    # 4. The decision.
    return plan.decision()


def _skipped(
    event: DirectoryEvent,
    situation: Situation,
    standing: Standing,
    reason: SkipReason,
) -> Decision:
    return Decision(
        event.id,
        event.workspace,
        standing,
        (),
        (_SKIPS[reason],),
        _subject(event, situation),
    )


def _subject(event: DirectoryEvent, situation: Situation) -> str:
    if situation.account is not None:
        return situation.account.email.address
    if event.email is not None:
        return event.email.address
    return f"directory user {event.user_id}"


def _is_stale(event: DirectoryEvent, record: DirectoryRecord) -> bool:
    """
    Whether *event* is older than what was applied for its user.

    Sequence numbers are compared with sequence numbers and timestamps
    with timestamps; an event that carries neither is never stale.
    """
    if (
        event.sequence is not None
        and record.sequence is not None
        and event.sequence < record.sequence
    ):
        return True
    return (
        event.occurred_at is not None
        and record.occurred_at is not None
        and event.occurred_at < record.occurred_at
    )


def _reactivates(event: UserUpdated, record: DirectoryRecord | None) -> bool:
    """
    Whether an update carries evidence that ``active`` went from false to
    true: the event says so, or the last recorded state was inactive.
    """
    return event.previous.active is False or (
        record is not None and record.active is False
    )


def _current_role(situation: Situation, standing: Standing) -> Role | None:
    """
    The role the person has in W, or will have on joining.
    """
    if standing is Standing.INVITED:
        invitation = situation.invitation
        return None if invitation is None else invitation.role
    account = situation.account
    return None if account is None else account.role


def _role_changes(
    user: DirectoryUser, situation: Situation, standing: Standing
) -> bool:
    """
    Whether the directory states a role other than the person's.
    """
    return "role" in user.stated and user.role is not _current_role(
        situation, standing
    )


def profile_changes(
    current: Profile, user: DirectoryUser
) -> tuple[Profile, tuple[str, ...]]:
    """
    The profile *user* states, applied over *current*.

    Returns:
        The new profile and the names of the attributes that differ; the
        names are empty when nothing would change.

    .. versionadded:: 0.1.0
    """
    new = user.profile
    if new == current:
        return current, ()
    stated = user.stated
    old_values = _values(current)
    new_values = _values(new)
    whole = stated is STATEABLE or stated >= _PROFILE_SET
    changed = tuple(
        [
            field
            for field, old, value in zip(
                PROFILE_FIELDS, old_values, new_values, strict=True
            )
            if value != old and (whole or field in stated)
        ]
    )
    if not changed:
        return current, ()
    if whole:
        # The usual case: the source sent the whole user.
        return new, changed
    merged = [
        value if field in changed else old
        for field, old, value in zip(
            PROFILE_FIELDS, old_values, new_values, strict=True
        )
    ]
    return Profile(*merged), changed


_PROFILE_SET = frozenset(PROFILE_FIELDS)


def _values(profile: Profile) -> tuple[str | None, ...]:
    # In PROFILE_FIELDS order; much cheaper than attrs.astuple.
    return (
        profile.first_name,
        profile.last_name,
        profile.department,
        profile.title,
    )


class _Plan:
    """
    A provisioning or update decision being built: the rules that fired
    and their actions.

    A short-lived mutable helper, private to one `decide` call.  Each
    step method appends what one step of a rule orders, and leaves out
    what would change nothing.
    """

    __slots__ = (
        "actions",
        "email",
        "event",
        "policy",
        "rules",
        "situation",
        "standing",
        "user",
    )

    def __init__(
        self,
        event: DirectoryEvent,
        user: DirectoryUser,
        situation: Situation,
        policy: Policy,
        standing: Standing,
    ) -> None:
        self.event = event
        self.user = user
        self.situation = situation
        self.policy = policy
        self.standing = standing
        self.rules: list[str] = []
        self.actions: list[Action] = []
        account = situation.account
        # The email as it stands after any change this event makes; it
        # decides whether profile changes apply (SPEC section 6).
        self.email = user.email if account is None else account.email

    def decision(self) -> Decision:
        event = self.event
        return Decision(
            event.id,
            event.workspace,
            self.standing,
            tuple(self.rules) if self.rules else (),
            tuple(self.actions) if self.actions else _NO_CHANGE,
            self.email.address,
        )

    def provision(self) -> None:
        rule = PROVISIONING[self.standing]
        self.rules.append(rule.id)
        for step in _PROVISIONING_STEPS[rule.id]:
            step(self)

    def create_account(self) -> None:
        user = self.user
        self.actions.append(
            CreateAccount(
                user.email,
                user.profile,
                self._directory_role(),
                self.event.workspace,
            )
        )

    def link(self) -> None:
        if self.situation.linked:
            # Found by link: the email may have moved on since.
            self.change_email()
            return
        self.actions.append(Link(self.event.workspace, self.user.id))

    def change_email(self) -> None:
        account = self.situation.account
        new = self.user.email
        if account is None or new.key == account.email.key:
            return
        self.rules.append("U-EMAIL")
        guard = self._email_guard(account.email, new, account.created_by)
        if guard is None:
            self.actions.append(ChangeEmail(account.email, new))
            self.email = new
        else:
            self.rules.append(guard.id)
            self.actions.append(_CONSTANT_OUTCOMES[guard.id][0])

    def _email_guard(
        self, old: Email, new: Email, created_by: str | None
    ) -> Rule | None:
        """
        The guard that stops an email change, if one does.
        """
        situation = self.situation
        workspace = situation.workspace
        if situation.email_taken:
            return BY_ID["G-EMAIL-TAKEN"]
        if situation.email_claimed_elsewhere and not workspace.claims(
            new.domain
        ):
            return BY_ID["G-EMAIL-FOREIGN-CLAIM"]
        if (
            self.policy.email_changes is EmailPolicy.GUARDED
            and created_by != workspace.id
            and not workspace.claims(old.domain)
            and not workspace.claims(new.domain)
        ):
            return BY_ID["G-EMAIL-UNOWNED"]
        return None

    def update_profile(self, as_rule: str | None = None) -> None:
        account = self.situation.account
        if account is None or account.profile == self.user.profile:
            return
        profile, changed = profile_changes(account.profile, self.user)
        if not changed:
            return
        claimed = self.situation.workspace.claims(self.email.domain)
        if as_rule is None:
            # Provisioning updates the profile where the domain is
            # claimed, and says nothing otherwise (SPEC section 4).
            if claimed:
                self.actions.append(UpdateProfile(profile, changed))
            return
        # U-PROFILE records the skip (SPEC section 6).
        self.rules.append(as_rule)
        if claimed:
            self.actions.append(UpdateProfile(profile, changed))
        else:
            self.actions.append(_SKIPS[SkipReason.DOMAIN_UNCLAIMED])

    def set_role(self, as_rule: str | None = None) -> None:
        user = self.user
        if not _role_changes(user, self.situation, self.standing):
            return
        current = _current_role(self.situation, self.standing)
        if as_rule is not None:
            self.rules.append(as_rule)
        if self.situation.is_owner:
            self.rules.append("G-OWNER")
            self.actions.append(_CONSTANT_OUTCOMES["G-OWNER"][0])
        else:
            self.actions.append(SetRole(user.role, current))

    def send_invitation(self) -> None:
        self.actions.append(SendInvitation(self.email, self._directory_role()))

    def _directory_role(self) -> Role:
        user = self.user
        return user.role if "role" in user.stated else Role.MEMBER


_SKIPS = {reason: Skip(reason) for reason in SkipReason}
_NO_CHANGE = (_SKIPS[SkipReason.NO_CHANGE],)


def _constant(name: ActionName, rule: Rule) -> Action | None:
    """
    The action a step of *rule* orders when it is the same every time.
    """
    match name:
        case ActionName.REVOKE_INVITATION:
            return RevokeInvitation()
        case ActionName.REACTIVATE:
            return Reactivate()
        case ActionName.DEACTIVATE:
            return Deactivate()
        case ActionName.ESCALATE:
            assert rule.escalation is not None
            return Escalate(rule.escalation)
        case ActionName.SKIP:
            assert rule.skip is not None
            return _SKIPS[rule.skip]
        case _:
            return None


#: The outcomes of the rules whose steps are all constant (the
#: deprovisioning rules and the guards), by rule id.
_CONSTANT_OUTCOMES: dict[str, tuple[Action, ...]] = {
    rule.id: tuple(
        action
        for action in (_constant(step, rule) for step in rule.steps)
        if action is not None
    )
    for rule in RULES
    if rule.steps and all(_constant(s, rule) for s in rule.steps)
}

_METHODS: dict[ActionName, Callable[[_Plan], None]] = {
    ActionName.CREATE_ACCOUNT: _Plan.create_account,
    ActionName.LINK: _Plan.link,
    ActionName.UPDATE_PROFILE: _Plan.update_profile,
    ActionName.SET_ROLE: _Plan.set_role,
    ActionName.SEND_INVITATION: _Plan.send_invitation,
}


def _step(name: ActionName, rule: Rule) -> Callable[[_Plan], None]:
    action = _constant(name, rule)
    if action is None:
        return _METHODS[name]

    def append(plan: _Plan) -> None:
        plan.actions.append(action)

    return append


#: Each provisioning rule's steps, ready to run, by rule id.
_PROVISIONING_STEPS: dict[str, tuple[Callable[[_Plan], None], ...]] = {
    rule.id: tuple(_step(name, rule) for name in rule.steps)
    for rule in PROVISIONING.values()
}
