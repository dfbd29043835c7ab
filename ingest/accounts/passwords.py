"""Users' passwords: how they are hashed and verified, which ones are refused, and the first one.

Pure, but for reading the list of common passwords (``common_passwords.txt``, beside this module)
once, at its first use. A password is NFKC-normalised before it is counted, compared or hashed, as
NIST SP 800-63B recommends, so that the same text typed on two keyboards (composed or decomposed accents,
full-width digits) is the same password. It is never stripped nor truncated: spaces count.

Argon2id, with parameters chosen for this service's machine (two cores, shared with the ingestion
workers). OWASP's Password Storage Cheat Sheet gives m=19 MiB, t=2, p=1 as its first configuration
(its others trade memory for passes at the same cost: 46 MiB with t=1, 12 MiB with t=3, ...).
RFC 9106 recommends t=1, p=4 and 2 GiB, or, where memory is short, t=3, p=4 and 64 MiB: the
latter is argon2-cffi's, hence pwdlib's, default. On two cores it costs seven to eight times as
much per login (``tests/bench/bench_auth.py``: a verify in about 25 ms against 190 ms), its four
lanes wait for two cores, and each login in flight holds 64 MiB beside the ingestion workers. One lane
(p=1): logins run side by side as requests, not inside one hash. The parameters travel in each
hash, so raising them later needs no migration: `verify_password` hands back a new hash at the
user's next successful login.
"""

from __future__ import annotations

import secrets
import string
import unicodedata
from functools import cache
from importlib.resources import files

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from ingest.platform.errors import Code, DomainError

MIN_LENGTH = 15
"""Characters (code points, after NFKC). Length is what makes a chosen password hard to guess
(NIST SP 800-63B: no composition rules). NIST SP 800-63B-4 (2025) asks for 15 when the password
is the only factor, as it is here (8 when it is one of two): three or four words in a row."""

MAX_LENGTH = 128
"""Characters (after NFKC). Twice the 64 NIST SP 800-63B asks verifiers to accept, so that long
passphrases fit. The bound caps the work one request can ask for: NFKC normalisation and Argon2's
first BLAKE2b pass over the password grow with its length (its memory-hard passes do not)."""

TIME_COST = 2
"""Argon2 passes over memory (OWASP: t=2 with 19 MiB)."""

MEMORY_COST = 19 * 1024
"""Argon2 memory in KiB: 19 MiB (OWASP's first configuration), held by each login in flight."""

PARALLELISM = 1
"""Argon2 lanes: one, as OWASP's configuration; concurrency comes from requests (see above)."""

_COMMON_FILE = "common_passwords.txt"
# What people pad a common password with to make it long enough.
_PADDING = string.digits + string.punctuation + " "

# Initial passwords: lowercase consonants and digits, without look-alikes (l, 1, 0; the vowels,
# o and i among them, are out too, so that no word, and no e-mail name with a vowel, can appear),
# in groups of 3 joined by '-'. 27 symbols, 18 of them: 18 * log2(27) = 85.6 bits.
_ALPHABET = "bcdfghjkmnpqrstvwxz23456789"
_GROUPS = 6
_GROUP_LENGTH = 3
_EMAIL_NAME_MIN = 4  # an e-mail's name (before the '@') this long may not appear in the password

_HASH = PasswordHash((Argon2Hasher(time_cost=TIME_COST, memory_cost=MEMORY_COST, parallelism=PARALLELISM),))


class PasswordCode(Code):
    password_too_short = "password_too_short", f"The password has fewer than {MIN_LENGTH} characters."
    password_too_long = "password_too_long", f"The password has more than {MAX_LENGTH} characters."
    password_is_email = "password_is_email", "The password is the user's e-mail address or contains its name."
    password_too_common = ("password_too_common", "The password is, or pads with digits and signs, one of the 10,000 "
                           "most common ones.")
    password_has_control_characters = ("password_has_control_characters",
                                       "The password contains a control character (a tab, a line break...).")


class PasswordError(DomainError):
    """A password refused by the policy (see `PasswordCode`); its message tells the user what to change."""


def hash_password(password: str) -> str:
    """The Argon2id hash of `password` (normalised), with this module's parameters and a new salt."""
    return _HASH.hash(_prepared(password))


def verify_password(password: str, hashed: str) -> tuple[bool, str | None]:
    """Whether `password` matches `hashed`, and, when it does and `hashed` was made with other
    parameters, the new hash to store in its place (else None). A `hashed` that is no Argon2 hash
    at all is a fault in the data, not a wrong password: pwdlib's ``UnknownHashError`` goes up."""
    return _HASH.verify_and_update(_prepared(password), hashed)


def verify_nothing(password: str) -> None:
    """Spend the time of a failed `verify_password`, for a login whose e-mail matches no user: the
    answer then comes as late as for a wrong password, and its delay tells nothing of who exists."""
    _HASH.verify(_prepared(password), _dummy_hash())


def check_policy(password: str, email: str) -> None:
    """Raise `PasswordError` when `password` is not acceptable for the user of `email`: control
    characters, too short or too long, the e-mail or its name, or a common password."""
    text = _normalised(password)
    _check_characters(text)
    _check_length(text)
    _check_email(text, email)
    if is_common(text):
        raise PasswordError(PasswordCode.password_too_common,
                            f"This password is, or pads with digits and signs, one of the "
                            f"{len(_common_passwords()):,} most common ones, which are tried first: choose "
                            "another one (a few words in a row, say).")


def initial_password() -> str:
    """A new random password (85.6 bits), easy to read out and type, e.g. ``k7m-qzt-9bx-rr4-hdw-2pn``.

    It passes `check_policy` for every e-mail: it has no '@', no vowel, and no run of more than 3
    characters without a '-', so the only e-mail name it could contain is one made of these very
    characters and hyphens in its pattern (and then by a chance of 27**-4 at most)."""
    groups = ("".join(secrets.choice(_ALPHABET) for _ in range(_GROUP_LENGTH)) for _ in range(_GROUPS))
    return "-".join(groups)


def is_common(password: str) -> bool:
    """Whether `password` (normalised, in any case) is in the list of common passwords, or is one
    of them with digits, signs or spaces around it (``Password123456!``): the list's entries are
    short, and padding one to the minimum length is the first thing guessers try."""
    folded, common = _folded(password), _common_passwords()
    return folded in common or folded.strip(_PADDING) in common


def _normalised(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def _folded(text: str) -> str:
    return _normalised(text).casefold()


def _prepared(password: str) -> bytes:
    """What Argon2 hashes. A lone surrogate (possible in a JSON string) is kept, not an error."""
    return _normalised(password).encode("utf-8", "surrogatepass")


@cache
def _dummy_hash() -> str:
    """A hash of a random secret that no password matches, made once, with the current parameters."""
    return _HASH.hash(secrets.token_bytes(32))


@cache
def _common_passwords() -> frozenset[str]:
    text = files("ingest.accounts").joinpath(_COMMON_FILE).read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def _check_characters(text: str) -> None:
    # Cc: C0 and C1 controls and DEL; Cs: a lone surrogate, which is no character at all.
    found = sum(1 for ch in text if unicodedata.category(ch) in ("Cc", "Cs"))
    if found:
        raise PasswordError(PasswordCode.password_has_control_characters,
                            f"The password contains {found} control character(s), such as a tab or a line "
                            "break: a password is typed text, remove them.")


def _check_length(text: str) -> None:
    if len(text) < MIN_LENGTH:
        raise PasswordError(PasswordCode.password_too_short,
                            f"The password has {len(text)} characters; it needs at least {MIN_LENGTH}. "
                            "A few words in a row make a long password that is easy to remember.")
    if len(text) > MAX_LENGTH:
        raise PasswordError(PasswordCode.password_too_long,
                            f"The password has {len(text)} characters; it may have at most {MAX_LENGTH}.")


def _check_email(text: str, email: str) -> None:
    folded, address = _folded(text), _folded(email)
    name = address.rpartition("@")[0] if "@" in address else address
    if folded in (address, name) or (len(name) >= _EMAIL_NAME_MIN and name in folded):
        raise PasswordError(PasswordCode.password_is_email,
                            "The password cannot be your e-mail address, nor contain its name (the part "
                            "before the '@'): choose one that does not.")
