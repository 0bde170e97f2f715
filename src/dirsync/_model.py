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
import email_validator
from email_validator import (
    EmailNotValidError,
    ValidatedEmail,
    validate_email,
)
from email_validator.rfc_constants import (
    CASE_INSENSITIVE_MAILBOX_NAMES,
    EMAIL_MAX_LENGTH,
)
from email_validator.syntax import (
    validate_email_length,
    validate_email_local_part,
)

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

    Build one with `Email.parse`, or with an `EmailParser` to parse many
    addresses at few domains.

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
        return cls._from_validated(_validated(text))

    @classmethod
    def _from_validated(cls, parsed: ValidatedEmail) -> Email:
        """
        The `Email` of an address ``email-validator`` accepted.
        """
        domain = Domain(parsed.ascii_domain.lower(), parsed.domain)
        return cls(
            key=f"{parsed.local_part.casefold()}@{domain.ascii}",
            address=parsed.normalized,
            domain=domain,
        )

    def __str__(self) -> str:
        return self.address


def _validated(text: str) -> ValidatedEmail:
    """
    What ``email-validator`` makes of *text*, with our options.

    Raises:
        InvalidEmail: *text* is not an email address.
    """
    if not isinstance(text, str):
        raise InvalidEmail(repr(text), "an email address is a string")
    try:
        return validate_email(
            text.strip(),
            check_deliverability=False,
            # Allow the reserved ``.test`` names that examples use.
            test_environment=True,
        )
    except EmailNotValidError as e:
        raise InvalidEmail(text, str(e)) from None


#: Characters that keep a text off `EmailParser`'s fast path, besides
#: non-ASCII ones and a second ``@``: those ``split_email`` treats
#: specially (quotes, escapes, display names, comments), domain literal
#: brackets, white space and control characters.
_OFF_FAST_PATH = frozenset('"<>\\()[] \x7f' + "".join(map(chr, range(32))))


def _plain(text: str) -> bool:
    """
    Whether *text* is ASCII without a character of `_OFF_FAST_PATH`.
    """
    return text.isascii() and _OFF_FAST_PATH.isdisjoint(text)


def _domain_settings() -> tuple[bool, tuple[str, ...]]:
    """
    The ``email-validator`` module settings its domain check reads.

    They are part of the library's API, so a program may change them; a
    memo filled under other settings would give other answers.
    """
    return (
        email_validator.GLOBALLY_DELIVERABLE,
        tuple(email_validator.SPECIAL_USE_DOMAIN_NAMES),
    )


class EmailParser:
    """
    A faster `Email.parse`, for many addresses at a few domains.

    ``Email.parse`` spends most of its time checking the domain (the IDNA
    work) and splitting the address.
    A parser remembers the domains that checked out, so that a plain
    address (once surrounding white space is stripped: ASCII, one ``@``,
    and no quotes, angle or square brackets, back slashes, parentheses,
    spaces or control characters) at a domain it has seen is split at its
    ``@`` and only its local part and length are checked, by
    ``email-validator``'s own functions called as ``validate_email``
    calls them, in the same order.
    Every other text goes the way of `Email.parse`, and a domain it finds
    valid is remembered (when it is ASCII: only plain addresses use the
    memo).

    The answers are exactly those of `Email.parse`: an equal `Email`, with
    the same `Email.address` and `Email.domain`, or an `InvalidEmail` with
    the same arguments.

    The memo belongs to the parser: it maps a domain part, as written
    after the ``@``, to what ``email-validator`` made of it.
    It holds at most *max_domains* domains; when it is full, the next new
    domain clears it and it fills up again from there.
    It is also cleared when a program changes ``email-validator``'s
    module-level domain settings (``GLOBALLY_DELIVERABLE``,
    ``SPECIAL_USE_DOMAIN_NAMES``).
    Threads may share a parser: the answers stay exact, though racing
    threads may overshoot the bound by a domain or two for a moment.

    Args:
        max_domains: The most domains to remember; 0 remembers none.

    Raises:
        ValueError: *max_domains* is negative.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_max_domains", "_memo", "_settings")

    def __init__(self, max_domains: int = 1024) -> None:
        if max_domains < 0:
            msg = f"max_domains must be 0 or more, not {max_domains}"
            raise ValueError(msg)
        self._max_domains = max_domains
        #: The domain part as written -> what is known of it.
        self._memo: dict[str, _Known] = {}
        self._settings = _domain_settings()

    @property
    def max_domains(self) -> int:
        """
        The most domains the parser remembers.
        """
        return self._max_domains

    @property
    def memo_size(self) -> int:
        """
        How many domains the parser remembers now.
        """
        return len(self._memo)

    def __repr__(self) -> str:
        return f"EmailParser(max_domains={self._max_domains})"

    def __call__(self, text: str) -> Email:
        """
        Parse *text* into an `Email`, as `Email.parse` does.

        Raises:
            InvalidEmail: *text* is not an email address.
        """
        if not isinstance(text, str):
            return Email.parse(text)
        settings = _domain_settings()
        if settings != self._settings:
            self._memo.clear()
            self._settings = settings
        address = text.strip()
        local, _, domain_part = address.partition("@")
        # `_plain(address)`, inline: this is the path of most addresses.
        if (
            address.isascii()
            and _OFF_FAST_PATH.isdisjoint(address)
            and "@" not in domain_part
        ):
            known = self._memo.get(domain_part)
            if known is not None:
                return _known_domain(text, local, address, known)
        parsed = _validated(text)
        self._remember(parsed)
        return Email._from_validated(parsed)

    def _remember(self, parsed: ValidatedEmail) -> None:
        """
        Remember the domain of an address ``email-validator`` accepted.
        """
        # ``original`` is the local part, "@" and the domain part as
        # written; a domain name that passed has no "@" (only letters,
        # digits, hyphens, dots and non-ASCII characters pass), and domain
        # literals have brackets, which `_plain` rejects.
        domain_part = parsed.original.rpartition("@")[2]
        if not self._max_domains or not _plain(domain_part):
            return
        if len(self._memo) >= self._max_domains:
            self._memo.clear()
        # The longest form of the domain in UTF-8, as validate_email_length
        # measures the address: as written, normalised, and in ASCII.
        longest = max(
            len(domain_part),
            len(parsed.domain.encode("utf-8")),
            len(parsed.ascii_domain),
        )
        self._memo[domain_part] = _Known(
            parsed.domain,
            parsed.ascii_domain,
            Domain(parsed.ascii_domain.lower(), parsed.domain),
            longest,
        )


@attrs.frozen
class _Known:
    """
    What `EmailParser` remembers of a domain part.
    """

    domain: str  # as email-validator normalised it
    ascii_domain: str
    shared: Domain  # the `Domain` every address at it gets
    longest: int  # its longest form in UTF-8 bytes


def _known_domain(text: str, local: str, address: str, known: _Known) -> Email:
    """
    What `Email.parse` makes of a plain *address* at a known domain.

    This is ``validate_email``'s own sequence of steps, less those that
    cannot apply: ``split_email`` would split *address* at its one ``@``
    with no display name and no quoting; Unicode normalisation leaves
    ASCII alone; the domain part is *known*; deliverability is not
    checked; and the length check is made only when the address could be
    too long (every form of it is the local part, ``@`` and a form of
    the domain, none longer than ``known.longest``).

    Raises:
        InvalidEmail: *text* is not an email address.
    """
    try:
        info = validate_email_local_part(
            local,
            allow_smtputf8=email_validator.ALLOW_SMTPUTF8,
            allow_empty_local=email_validator.ALLOW_EMPTY_LOCAL,
            quoted_local_part=False,
            strict=email_validator.STRICT,
        )
        local_part: str = info["local_part"]
        ascii_local_part: str | None = info["ascii_local_part"]
        # RFC 2142 mailbox names are case-insensitive.
        if (
            ascii_local_part is not None
            and ascii_local_part.lower() in CASE_INSENSITIVE_MAILBOX_NAMES
        ):
            ascii_local_part = ascii_local_part.lower()
            local_part = local_part.lower()
        size = max(len(local), len(local_part)) + 1 + known.longest
        if size > EMAIL_MAX_LENGTH:
            ret = ValidatedEmail()
            ret.original = address
            ret.display_name = None
            ret.smtputf8 = info["smtputf8"]
            ret.local_part = local_part
            ret.ascii_local_part = ascii_local_part
            ret.domain = known.domain
            ret.ascii_domain = known.ascii_domain
            ret.normalized = f"{local_part}@{known.domain}"
            ret.ascii_email = (
                f"{ascii_local_part}@{known.ascii_domain}"
                if ascii_local_part
                else None
            )
            validate_email_length(ret)
    except EmailNotValidError as e:
        raise InvalidEmail(text, str(e)) from None
    domain = known.shared
    # The key, the address and the domain; positional arguments make a
    # frozen class faster than keywords do.
    return Email(
        f"{local_part.casefold()}@{domain.ascii}",
        f"{local_part}@{known.domain}",
        domain,
    )


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
