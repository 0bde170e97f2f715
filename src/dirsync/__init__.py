"""
dirsync: decide and apply directory sync (SCIM provisioning) for
multi-tenant products.

The pure core decides: `decide` turns a `DirectoryEvent` and the
`Situation` a host loaded for it into a `Decision`, naming the rules of
SPEC that fired and the actions to apply.
`State` and `simulate` run the whole product in memory, scheduling
included; ``python -m dirsync replay`` runs scenario files through them.

Everything exported here is public; modules whose names start with an
underscore are not.
"""

from ._actions import (
    Action,
    ActionName,
    ChangeEmail,
    CreateAccount,
    Deactivate,
    Escalate,
    EscalationReason,
    Link,
    Reactivate,
    RevokeInvitation,
    SendInvitation,
    SetRole,
    Skip,
    SkipReason,
    UpdateProfile,
)
from ._decide import decide, profile_changes
from ._decision import Decision
from ._errors import DirsyncError, InvalidEmail, InvalidScenario
from ._events import (
    DirectoryEvent,
    EventType,
    PreviousValues,
    UserCreated,
    UserDeleted,
    UserUpdated,
    is_deprovisioning,
)
from ._model import (
    PROFILE_FIELDS,
    Account,
    AccountStatus,
    DirectoryLink,
    DirectoryUser,
    Domain,
    Email,
    EmailParser,
    Invitation,
    InvitationStatus,
    Profile,
    Role,
    Workspace,
)
from ._policy import DEFAULT_POLICY, EmailPolicy, Policy
from ._report import render, tell
from ._rules import RULES, Condition, Rule, Trigger
from ._scenario import Scenario, ScimCall, load_scenario, read_scenario
from ._schedule import Batch, HoldReason, hold_reason, select_batch
from ._scheduler import (
    BatchReport,
    CycleReport,
    Scheduler,
    Service,
    SystemClock,
)
from ._simulate import (
    Applied,
    Outcome,
    ScimReply,
    WorkspaceStatus,
    simulate,
)
from ._standing import (
    IN_REACH,
    DirectoryRecord,
    Situation,
    Standing,
    standing_of,
)
from ._state import EscalationRecord, Mail, State
from .ports import OutgoingMail, QueuedEvent

__version__ = "0.1.0.dev0"

__all__ = [
    "DEFAULT_POLICY",
    "IN_REACH",
    "PROFILE_FIELDS",
    "RULES",
    "Account",
    "AccountStatus",
    "Action",
    "ActionName",
    "Applied",
    "Batch",
    "BatchReport",
    "ChangeEmail",
    "Condition",
    "CreateAccount",
    "CycleReport",
    "Deactivate",
    "Decision",
    "DirectoryEvent",
    "DirectoryLink",
    "DirectoryRecord",
    "DirectoryUser",
    "DirsyncError",
    "Domain",
    "Email",
    "EmailParser",
    "EmailPolicy",
    "Escalate",
    "EscalationReason",
    "EscalationRecord",
    "EventType",
    "HoldReason",
    "InvalidEmail",
    "InvalidScenario",
    "Invitation",
    "InvitationStatus",
    "Link",
    "Mail",
    "Outcome",
    "OutgoingMail",
    "Policy",
    "PreviousValues",
    "Profile",
    "QueuedEvent",
    "Reactivate",
    "RevokeInvitation",
    "Role",
    "Rule",
    "Scenario",
    "Scheduler",
    "ScimCall",
    "ScimReply",
    "SendInvitation",
    "Service",
    "SetRole",
    "Situation",
    "Skip",
    "SkipReason",
    "Standing",
    "State",
    "SystemClock",
    "Trigger",
    "UpdateProfile",
    "UserCreated",
    "UserDeleted",
    "UserUpdated",
    "Workspace",
    "WorkspaceStatus",
    "decide",
    "hold_reason",
    "is_deprovisioning",
    "load_scenario",
    "profile_changes",
    "read_scenario",
    "render",
    "select_batch",
    "simulate",
    "standing_of",
    "tell",
]
