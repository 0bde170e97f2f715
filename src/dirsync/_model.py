"""
Value objects: the nouns of directory sync.

Everything here is a frozen, slotted ``attrs`` class, changed with
`attrs.evolve`.
Parsing happens once, at the edge: an `Email` that exists is valid and
normalised, so the rest of the library compares keys and never strings.
"""

from __future__ import annotations

import enum

import attrs
from email_validator import EmailNotValidError, validate_email

from ._errors import InvalidEmail


@attrs.frozen(cache_hash=True)
class Domain:
    """
    An email domain, normalised so that equal domains compare equal.

    ``Domain.parse("Bücher.example")`` and
    ``Domain.parse("xn--bcher-kva.example")`` are the same domain.

    Args:
        ascii: The IDNA (punycode) form, lower case; this is the key.
        name: The Unicode form, for people to read.

    .. versionadded:: 0.1.0
    """

    ascii: str
    name: str = attrs.field(eq=False)

    @classmethod
    def parse(cls, text: str) -> Domain:
        """
        Parse and normalise a domain name.

        We let ``email-validator`` do the IDNA work by validating a
        placeholder address at the domain, rather than keeping a second
        set of domain rules of our own.

        Surrounding white space is ignored.

        Raises:
            InvalidEmail: *text* is not a domain an address could use.
        """
        if not isinstance(text, str):
            raise InvalidEmail(repr(text), "a domain is a string", "domain")
        try:
            return Email.parse(f"postmaster@{text.strip()}").domain
        except InvalidEmail as e:
            raise InvalidEmail(text, e.why, "domain") from None

    def __str__(self) -> str:
        return self.name


@attrs.frozen(cache_hash=True)
class Email:
    """
    An email address, parsed and normalised once.

    Two addresses are equal when they differ only in letter case or in the
    spelling of an internationalised domain (SPEC section 1: emails are
    unique across the product, compared case-insensitively).
    The address keeps the case it was given in for display.

    Build one with `Email.parse`.

    Args:
        key: The comparison key: the case-folded local part and the ASCII
            domain.
        address: The normalised address, as people should see it.
        domain: The domain part.

    .. versionadded:: 0.1.0
    """

    key: str
    address: str = attrs.field(eq=False)
    domain: Domain = attrs.field(eq=False)

    @classmethod
    def parse(cls, text: str) -> Email:
        """
        Parse *text* into an `Email`.

        Surrounding white space is ignored.
        Deliverability is not checked: that would need the network.

        Raises:
            InvalidEmail: *text* is not an email address.
        """
        if not isinstance(text, str):
            raise InvalidEmail(repr(text), "an email address is a string")
        try:
            parsed = validate_email(
                text.strip(),
                check_deliverability=False,
                # Allow the reserved ``.test`` names that examples use.
                test_environment=True,
            )
        except EmailNotValidError as e:
            raise InvalidEmail(text, str(e)) from None
        domain = Domain(parsed.ascii_domain.lower(), parsed.domain)
        return cls(
            key=f"{parsed.local_part.casefold()}@{domain.ascii}",
            address=parsed.normalized,
            domain=domain,
        )

    def __str__(self) -> str:
        return self.address


class Role(enum.Enum):
    """
    The role a person holds, or will hold, in a workspace.

    .. versionadded:: 0.1.0
    """

    #: An ordinary member.
    MEMBER = "member"
    #: A workspace administrator.
    ADMIN = "admin"


class AccountStatus(enum.Enum):
    """
    Whether an account can be used.

    .. versionadded:: 0.1.0
    """

    #: The person can sign in.
    ACTIVE = "active"
    #: The account is switched off; its data is kept.
    DEACTIVATED = "deactivated"


class InvitationStatus(enum.Enum):
    """
    Where an invitation to a workspace stands.

    .. versionadded:: 0.1.0
    """

    #: Sent and not yet accepted; the person is "invited".
    PENDING = "pending"
    #: Withdrawn; the person can no longer join through it.
    REVOKED = "revoked"


PROFILE_FIELDS = ("first_name", "last_name", "department", "title")


@attrs.frozen
class Profile:
    """
    The profile attributes that sync keeps in step (SPEC section 2).

    None means the attribute has no value.

    .. versionadded:: 0.1.0
    """

    first_name: str | None = None
    last_name: str | None = None
    department: str | None = None
    #: The user role, or job title (SCIM ``title``).
    title: str | None = None


@attrs.frozen
class DirectoryLink:
    """
    The tie between an account and a directory user.

    Args:
        workspace: The workspace whose directory the user belongs to; None
            when it is not known, in which case the link matches that
            directory user id in any workspace.
        user_id: The directory user id (our SCIM ``id``).

    .. versionadded:: 0.1.0
    """

    workspace: str | None
    user_id: str


@attrs.frozen
class Account:
    """
    The product's own record of a person.

    Args:
        email: Unique across the product.
        profile: The synced profile attributes.
        workspace: The workspace this account is a member of, if any.
        status: Active or deactivated (as a member, when it is one).
        role: Its role in `workspace`.
        link: The directory user it is linked to, if any.
        created_by: The workspace whose provisioning created it, if any.

    .. versionadded:: 0.1.0
    """

    email: Email
    profile: Profile = Profile()
    workspace: str | None = None
    status: AccountStatus = AccountStatus.ACTIVE
    role: Role | None = None
    link: DirectoryLink | None = None
    created_by: str | None = None

    @property
    def active(self) -> bool:
        """
        Whether the account is active.
        """
        return self.status is AccountStatus.ACTIVE


@attrs.frozen
class Invitation:
    """
    An invitation for an account to join a workspace.

    Args:
        workspace: The workspace the person is invited to.
        email: The invited account's email.
        role: The role the person will have on joining.
        status: Pending or revoked.

    .. versionadded:: 0.1.0
    """

    workspace: str
    email: Email
    role: Role = Role.MEMBER
    status: InvitationStatus = InvitationStatus.PENDING

    @property
    def pending(self) -> bool:
        """
        Whether the invitation can still be accepted.
        """
        return self.status is InvitationStatus.PENDING


@attrs.frozen
class Workspace:
    """
    A tenant of the host product.

    Args:
        id: The host's identifier for the workspace.
        owner: The email of its one owner; None when it has none, which
            holds the workspace (SPEC section 8).
        claimed_domains: Email domains its organisation has claimed.

    .. versionadded:: 0.1.0
    """

    id: str
    owner: Email | None = None
    claimed_domains: frozenset[Domain] = frozenset()

    def claims(self, domain: Domain) -> bool:
        """
        Whether this workspace's organisation has claimed *domain*.

        Claims match exactly: claiming ``acme.com`` does not claim
        ``eu.acme.com`` (see ``docs/concepts.md``).
        """
        return domain in self.claimed_domains


#: The attributes a `DirectoryUser` may state besides its email.
STATEABLE = frozenset((*PROFILE_FIELDS, "role"))


@attrs.frozen
class DirectoryUser:
    """
    The identity provider's view of a person.

    Args:
        id: The directory user id (SCIM ``id``), stable for the person.
        email: Their email.
        profile: Their profile attributes.
        role: Their workspace role.
        active: Whether the identity provider has them active.
        stated: Which of the profile attributes and ``role`` the source
            actually stated. Sync leaves the others alone; sources that
            send the whole user (SCIM, WorkOS) state all of them.

    .. versionadded:: 0.1.0
    """

    id: str
    email: Email
    profile: Profile = Profile()
    role: Role = Role.MEMBER
    active: bool = True
    stated: frozenset[str] = STATEABLE
