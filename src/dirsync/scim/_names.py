"""
Names and addresses as the endpoint compares them: the key that makes
userNames unique, and the test that refuses look-alike addresses.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from .._errors import InvalidEmail
from .._model import Email


def user_key(
    user_name: str, parse: Callable[[str], Email] = Email.parse
) -> str:
    """
    The key that makes userNames unique: an email's comparison key when
    the userName is an email (so that an internationalised domain and
    its punycode spelling are one name), else the case-folded text
    (RFC 7643 section 4.1.1: userName is not case-exact).

    *parse* parses an address, as `dirsync.Email.parse` does.
    """
    try:
        return parse(user_name).key
    except InvalidEmail:
        return user_name.casefold()


#: Scripts whose letters pass for one another (UTS 39's confusables are
#: mostly among these).  A part of an address that mixes them is a
#: look-alike, such as ``acme.com`` spelt with a Cyrillic ``a``.
_CONFUSABLE_SCRIPTS = frozenset(
    {"LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC"}
)


def mixed_scripts(email: Email) -> str | None:
    """
    The scripts, in words, that one part of *email* mixes (the local
    part, or one label of the domain), or None.

    This is the single-script test of Unicode Technical Standard 39,
    kept to the scripts whose letters are confusable: Japanese or Korean
    names that mix their own scripts with Latin are left alone.
    """
    if email.address.isascii():
        return None  # one script
    local = email.address.rpartition("@")[0]
    for part in (local, *email.domain.name.split(".")):
        if part.isascii():
            continue
        scripts = {
            script
            for char in part
            if char.isalpha()
            and (script := unicodedata.name(char, "?").split()[0])
            in _CONFUSABLE_SCRIPTS
        }
        if len(scripts) > 1:
            return " and ".join(s.title() for s in sorted(scripts))
    return None
