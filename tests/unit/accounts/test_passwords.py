"""Passwords: Argon2id hashing and re-hashing, the policy's refusals, initial passwords."""

from __future__ import annotations

import math
import re

import pytest
from pwdlib.exceptions import UnknownHashError
from pwdlib.hashers.argon2 import Argon2Hasher

from ingest.accounts.passwords import (
    MAX_LENGTH,
    MEMORY_COST,
    MIN_LENGTH,
    PARALLELISM,
    TIME_COST,
    PasswordCode,
    PasswordError,
    check_policy,
    hash_password,
    initial_password,
    is_common,
    verify_nothing,
    verify_password,
)

EMAIL = "jean.dupont@example.test"
PASSPHRASE = "correct horse battery staple"
OUR_PARAMETERS = f"$argon2id$v=19$m={MEMORY_COST},t={TIME_COST},p={PARALLELISM}$"


def _refusal(password: str, email: str = EMAIL) -> str:
    with pytest.raises(PasswordError) as caught:
        check_policy(password, email)
    assert caught.value.message  # a sentence for the user
    return caught.value.code


# --- hashing ---------------------------------------------------------------------------------

def test_a_hash_verifies_its_password_only() -> None:
    hashed = hash_password(PASSPHRASE)
    assert hashed.startswith(OUR_PARAMETERS)
    assert PASSPHRASE not in hashed
    assert verify_password(PASSPHRASE, hashed) == (True, None)
    assert verify_password("correct horse battery stapler", hashed) == (False, None)
    assert verify_password(PASSPHRASE.upper(), hashed) == (False, None)


def test_two_hashes_of_one_password_differ_by_their_salt() -> None:
    assert hash_password(PASSPHRASE) != hash_password(PASSPHRASE)


def test_a_hash_with_weaker_parameters_verifies_and_is_replaced() -> None:
    weak = Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSPHRASE)
    assert verify_password("wrong horse battery staple", weak) == (False, None)
    matches, updated = verify_password(PASSPHRASE, weak)
    assert matches and updated is not None
    assert updated.startswith(OUR_PARAMETERS)
    assert verify_password(PASSPHRASE, updated) == (True, None)


def test_the_same_text_typed_composed_or_decomposed_is_the_same_password() -> None:
    hashed = hash_password("d\u00e9j\u00e0 vu, mon ami")  # é and à as one code point each
    assert verify_password("de\u0301ja\u0300 vu, mon ami", hashed) == (True, None)  # letter + accent


def test_a_lone_surrogate_is_hashed_rather_than_crashing_a_login() -> None:
    hashed = hash_password("half a pair \ud800 here")
    assert verify_password("half a pair \ud800 here", hashed) == (True, None)
    assert verify_password("half a pair \ud801 here", hashed) == (False, None)


def test_a_stored_value_that_is_no_hash_is_an_error_not_a_wrong_password() -> None:
    with pytest.raises(UnknownHashError):
        verify_password(PASSPHRASE, "5f4dcc3b5aa765d61d8327deb882cf99")


def test_verify_nothing_runs_a_real_verify_with_the_same_parameters() -> None:
    """Structure, not timing (the suite has no timed assertions; bench_auth measures the time): the
    dummy is an Argon2id hash made with the parameters of every real one, and it is verified."""
    from ingest.accounts import passwords

    assert verify_nothing(PASSPHRASE) is None
    dummy, real = passwords._dummy_hash(), hash_password(PASSPHRASE)
    assert dummy.startswith("$argon2id$")
    assert dummy.split("$")[2:4] == real.split("$")[2:4]  # version and m, t, p
    assert verify_password(PASSPHRASE, dummy)[0] is False


# --- policy ----------------------------------------------------------------------------------

@pytest.mark.parametrize("password", [
    PASSPHRASE,
    "x" * MIN_LENGTH,
    "long passphrase " * 8,  # MAX_LENGTH exactly
    "Tr\u00e8s longue phrase de passe, \u00e0 la fran\u00e7aise",
    "un mot de passe avec \U0001F642 dedans",
    "   leading space",  # spaces count, nothing is stripped
    "bobbobbobbobbob",  # 'bob@…': a name of under 4 characters may appear
])
def test_long_passphrases_pass(password: str) -> None:
    assert MIN_LENGTH <= len(password) <= MAX_LENGTH
    check_policy(password, "bob@example.test")


@pytest.mark.parametrize(("password", "code"), [
    ("elevenchars", PasswordCode.password_too_short),
    ("  eleven   ", PasswordCode.password_too_short),
    ("e\u0301" * 11, PasswordCode.password_too_short),  # 22 code points, 11 characters once composed
    ("x" * (MAX_LENGTH + 1), PasswordCode.password_too_long),
    ("twelve chars\tlong", PasswordCode.password_has_control_characters),
    ("a line\nbreak inside", PasswordCode.password_has_control_characters),
    ("nul\x00character here", PasswordCode.password_has_control_characters),
    ("delete\x7fcharacter!", PasswordCode.password_has_control_characters),
    ("next line\x85 (C1 control)", PasswordCode.password_has_control_characters),
    ("half a pair \ud800 here", PasswordCode.password_has_control_characters),
    (EMAIL, PasswordCode.password_is_email),
    ("JEAN.DUPONT@EXAMPLE.TEST", PasswordCode.password_is_email),
    ("my Jean.Dupont 2026!", PasswordCode.password_is_email),
    ("unbelievable2026!", PasswordCode.password_too_common),
    ("Contortionist !!", PasswordCode.password_too_common),
    ("Password123456!", PasswordCode.password_too_common),
    ("\uff55\uff4e\uff42\uff45\uff4c\uff49\uff45\uff56\uff41\uff42\uff4c\uff45\uff12\uff10\uff12\uff16",
     PasswordCode.password_too_common),  # full-width: unbelievable2026
])
def test_each_refusal_has_its_code(password: str, code: PasswordCode) -> None:
    assert _refusal(password) == code


def test_length_is_counted_after_normalisation() -> None:
    check_policy("e\u0301" * 15, EMAIL)  # 30 code points, 15 characters
    check_policy("\ufb01" * 8, EMAIL)  # the ligature 'ﬁ' is two letters: 16
    assert _refusal("\ufb01" * 65) == PasswordCode.password_too_long


def test_the_name_is_refused_alone_when_it_is_long_enough() -> None:
    assert _refusal("averylongname 26", "averylongname@example.test") == PasswordCode.password_is_email
    assert _refusal("averylongname 26", "AVERYLONGNAME@example.test") == PasswordCode.password_is_email
    check_policy("jeanjeanjeanjean", "jea@example.test")
    assert _refusal("jeanjeanjeanjean", "jean@example.test") == PasswordCode.password_is_email


def test_the_messages_give_the_figures() -> None:
    with pytest.raises(PasswordError) as caught:
        check_policy("elevenchars", EMAIL)
    assert "11" in caught.value.message and str(MIN_LENGTH) in caught.value.message
    with pytest.raises(PasswordError) as caught:
        check_policy("unbelievable2026!", EMAIL)
    assert "10,000" in caught.value.message  # the whole list was read, its comments left out


def test_is_common_ignores_case_and_the_file_header() -> None:
    assert is_common("password") and is_common("PassWord") and is_common("qwerty123")
    assert is_common("Password123456!") and is_common("  qwerty 2026 !!")
    assert not is_common(PASSPHRASE)
    assert not is_common("# The 10,000 most common passwords: one a line, lowercased, sorted, no duplicates.")


# --- initial passwords -----------------------------------------------------------------------

INITIAL = re.compile(r"[a-z2-9]{3}(-[a-z2-9]{3}){5}")


@pytest.mark.parametrize("email", [EMAIL, "a@b.c", "bcdf@example.test", "jean-luc@example.test",
                                   "sales@example.test", "x" * 40 + "@example.test", "no-at-sign"])
def test_initial_passwords_pass_the_policy(email: str) -> None:
    for _ in range(50):
        check_policy(initial_password(), email)


def test_initial_passwords_are_easy_to_type_and_have_80_bits() -> None:
    drawn = [initial_password() for _ in range(300)]
    assert len(set(drawn)) == len(drawn)
    assert all(INITIAL.fullmatch(p) for p in drawn), drawn[:3]
    symbols = {ch for p in drawn for ch in p if ch != "-"}
    assert not symbols & set("01lio"), "look-alike characters"
    # 300 * 18 draws see every symbol; the entropy is log2(symbols) per random character.
    randoms = len(drawn[0].replace("-", ""))
    assert randoms * math.log2(len(symbols)) >= 80
