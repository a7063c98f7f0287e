"""AES-256-GCM personal data: round trip, fresh nonces, key ids, row/field binding, raw rows."""

import base64

import pytest
from django.core.checks import ERROR, run_checks
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings

from marketplace import crypto
from marketplace.models import User
from tests.factories import UserFactory

KEY_A = "ka:" + base64.b64encode(bytes(range(32))).decode()
KEY_B = "kb:" + base64.b64encode(bytes(range(100, 132))).decode()

EMAIL = "Anna.Svensson@Example.SE"
PHONE = "+46 70 123 45 67"
PERSONNUMMER = "19121212-1212"
PERSONNUMMER_NORMALIZED = "191212121212"


@pytest.fixture
def key_a():
    with override_settings(ENCRYPTION_KEY=KEY_A, ENCRYPTION_OLD_KEYS=[]):
        yield


def make_person(**kwargs) -> User:
    values = {"email": EMAIL, "phone": PHONE, "personnummer": PERSONNUMMER, **kwargs}
    return UserFactory(**values)


@pytest.mark.django_db
def test_email_phone_and_personnummer_round_trip_through_the_database(key_a):
    # Given a user saved with personal data
    user = make_person()

    # When it is read back from the database as a fresh object
    loaded = User.objects.get(pk=user.pk)

    # Then every value decrypts to what was written (personnummer normalized)
    assert loaded.email == EMAIL
    assert loaded.phone == PHONE
    assert loaded.personnummer == PERSONNUMMER_NORMALIZED


@pytest.mark.django_db
def test_empty_optional_values_are_stored_empty_and_read_empty(key_a):
    user = UserFactory(email="empty@example.se")

    loaded = User.objects.get(pk=user.pk)

    assert (loaded.phone_ciphertext, loaded.personnummer_ciphertext) == ("", "")
    assert (loaded.phone, loaded.personnummer) == ("", "")


@pytest.mark.django_db
def test_each_value_carries_the_key_id_and_ciphertext_differs_per_column(key_a):
    user = make_person()

    tokens = [user.email_ciphertext, user.phone_ciphertext, user.personnummer_ciphertext]

    assert [token.split("$")[0] for token in tokens] == ["ka", "ka", "ka"]
    assert [crypto.key_id_of(token) for token in tokens] == ["ka", "ka", "ka"]
    assert len(set(tokens)) == 3


@pytest.mark.django_db
def test_the_same_plaintext_written_twice_gives_different_ciphertexts(key_a):
    # Given a user whose phone is written twice with the same number
    user = make_person()
    first = user.phone_ciphertext
    user.phone = PHONE
    second = user.phone_ciphertext

    # Then the nonces, and so the ciphertexts, differ, and both decrypt to the number
    assert first != second
    nonces = {
        base64.urlsafe_b64decode(t.split("$")[1])[: crypto.NONCE_BYTES] for t in (first, second)
    }
    assert len(nonces) == 2
    aad = user.encryption_aad("phone")
    assert crypto.decrypt(first, aad=aad) == crypto.decrypt(second, aad=aad) == PHONE


def test_encrypt_uses_a_fresh_nonce_every_call(key_a):
    tokens = {crypto.encrypt("same", aad=b"row:field") for _ in range(50)}

    assert len(tokens) == 50
    assert {crypto.decrypt(t, aad=b"row:field") for t in tokens} == {"same"}


@pytest.mark.django_db
def test_a_ciphertext_copied_into_another_users_row_does_not_decrypt(key_a):
    # Given two users, and Alice's email ciphertext copied into Bob's row in the database
    alice = make_person(email="alice@example.se")
    bob = make_person(email="bob@example.se", phone="+46 8 000 00 00")
    User.objects.filter(pk=bob.pk).update(
        email_ciphertext=alice.email_ciphertext, phone_ciphertext=alice.phone_ciphertext
    )

    # When Bob's row is read
    bob = User.objects.get(pk=bob.pk)

    # Then his email and phone refuse to decrypt rather than show Alice's data
    with pytest.raises(crypto.DecryptionError):
        _ = bob.email
    with pytest.raises(crypto.DecryptionError):
        _ = bob.phone
    assert User.objects.get(pk=alice.pk).email == "alice@example.se"


@pytest.mark.django_db
def test_a_ciphertext_copied_into_another_field_of_the_same_row_does_not_decrypt(key_a):
    user = make_person()
    User.objects.filter(pk=user.pk).update(personnummer_ciphertext=user.phone_ciphertext)

    user = User.objects.get(pk=user.pk)

    with pytest.raises(crypto.DecryptionError):
        _ = user.personnummer
    assert user.phone == PHONE


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # tag changed
        lambda t: t.split("$")[0] + "$" + t.split("$")[1][:20],  # truncated
        lambda t: t.split("$")[0] + "$",  # nothing after the key id
        lambda t: "zz$" + t.split("$")[1],  # unknown key id
        lambda t: t.split("$")[1],  # no key id at all
        lambda t: t.split("$")[0] + "$" + "%%%%not-base64%%%%",
        lambda t: t.split("$")[0] + "$" + "\u00e5\u00e4\u00f6",
    ],
)
def test_a_damaged_value_raises_decryption_error_not_garbage(key_a, mangle):
    token = crypto.encrypt("secret", aad=b"row:field")

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(mangle(token), aad=b"row:field")


def test_a_value_under_a_key_no_longer_configured_does_not_decrypt():
    with override_settings(ENCRYPTION_KEY=KEY_A, ENCRYPTION_OLD_KEYS=[]):
        token = crypto.encrypt("secret", aad=b"aad")
    with (
        override_settings(ENCRYPTION_KEY=KEY_B, ENCRYPTION_OLD_KEYS=[]),
        pytest.raises(crypto.DecryptionError, match="No key with id 'ka'"),
    ):
        crypto.decrypt(token, aad=b"aad")
    with override_settings(ENCRYPTION_KEY=KEY_B, ENCRYPTION_OLD_KEYS=[KEY_A]):
        assert crypto.decrypt(token, aad=b"aad") == "secret"


@pytest.mark.django_db
def test_the_raw_database_row_holds_no_plaintext(key_a):
    # Given a user with personal data, and the forms in which it could leak
    user = make_person(name="Visible Name")
    needles = {
        EMAIL,
        EMAIL.lower(),
        "anna.svensson",
        "Anna.Svensson",
        PHONE,
        PHONE.replace(" ", ""),
        "701234567",
        PERSONNUMMER,
        PERSONNUMMER_NORMALIZED,
        "1212121212",
    }

    # When the row is read with plain SQL
    table = connection.ops.quote_name(User._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [user.pk])
        columns = [c[0] for c in cursor.description]
        row = cursor.fetchone()

    # Then no column holds any of them, in any case
    assert "email_ciphertext" in columns and "email_index" in columns
    assert row is not None
    assert "Visible Name" in row  # the scan sees real values: a plaintext would be caught
    for column, value in zip(columns, row, strict=True):
        text = str(value)
        for needle in needles:
            assert needle.lower() not in text.lower(), (column, needle)


def test_the_blind_index_ignores_case_and_surrounding_space_and_is_keyed():
    assert crypto.blind_index("Foo@X.se") == crypto.blind_index(" foo@x.SE ")
    assert crypto.blind_index("foo@x.se") != crypto.blind_index("fo0@x.se")
    assert "foo" not in crypto.blind_index("foo@x.se")
    with override_settings(BLIND_INDEX_KEY="another-key"):
        other = crypto.blind_index("foo@x.se")
    assert other != crypto.blind_index("foo@x.se")


def test_get_key_ring_reads_current_and_old_keys():
    with override_settings(ENCRYPTION_KEY=KEY_B, ENCRYPTION_OLD_KEYS=[KEY_A]):
        ring = crypto.get_key_ring()

    assert ring.current_id == "kb"
    assert ring.current_key == bytes(range(100, 132))
    assert ring.keys == {"kb": bytes(range(100, 132)), "ka": bytes(range(32))}


def test_old_keys_may_come_as_a_comma_separated_string():
    with override_settings(ENCRYPTION_KEY=KEY_B, ENCRYPTION_OLD_KEYS=f"{KEY_A}, "):
        assert sorted(crypto.get_key_ring().keys) == ["ka", "kb"]


GOOD_32 = base64.b64encode(b"k" * 32).decode()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("k1:not base64!!", "ENCRYPTION_KEY: the key is not valid base64."),
        ("k1:" + base64.b64encode(b"k" * 16).decode(), "ENCRYPTION_KEY: the key must be 32 bytes"),
        ("k1:" + base64.b64encode(b"k" * 33).decode(), "ENCRYPTION_KEY: the key must be 32 bytes"),
        (":" + GOOD_32, "ENCRYPTION_KEY must look like"),
        (GOOD_32, "ENCRYPTION_KEY must look like"),
        ("", "ENCRYPTION_KEY must look like"),
        ("k$1:" + GOOD_32, "ENCRYPTION_KEY: the key id 'k$1' must be"),
        ("k 1:" + GOOD_32, "ENCRYPTION_KEY: the key id 'k 1' must be"),
        (None, "ENCRYPTION_KEY must be a string"),
    ],
)
def test_a_malformed_encryption_key_is_refused_naming_the_setting(value, message):
    with (
        override_settings(ENCRYPTION_KEY=value, ENCRYPTION_OLD_KEYS=[]),
        pytest.raises(ImproperlyConfigured) as error,
    ):
        crypto.get_key_ring()

    assert str(error.value).startswith(message)


@pytest.mark.parametrize(
    ("old_keys", "message"),
    [
        (["old:%%%"], "ENCRYPTION_OLD_KEYS: the key is not valid base64."),
        (["old" + GOOD_32], "ENCRYPTION_OLD_KEYS must look like"),
        (["ka:" + GOOD_32], "ENCRYPTION_OLD_KEYS: key id 'ka' is used for two different keys."),
    ],
)
def test_malformed_old_keys_are_refused_naming_the_setting(old_keys, message):
    with (
        override_settings(ENCRYPTION_KEY=KEY_A, ENCRYPTION_OLD_KEYS=old_keys),
        pytest.raises(ImproperlyConfigured) as error,
    ):
        crypto.get_key_ring()

    assert str(error.value).startswith(message)


def test_a_generated_key_is_accepted_as_encryption_key():
    spec = crypto.generate_key("k2026")

    with override_settings(ENCRYPTION_KEY=spec, ENCRYPTION_OLD_KEYS=[]):
        token = crypto.encrypt("hello", aad=b"aad")
        assert crypto.decrypt(token, aad=b"aad") == "hello"
    assert token.startswith("k2026$")
    assert crypto.generate_key("k2026") != spec


def test_the_system_check_reports_a_malformed_key_naming_the_setting():
    with override_settings(ENCRYPTION_KEY="k1:short", ENCRYPTION_OLD_KEYS=[]):
        messages = run_checks(tags=["encryption"])

    assert [(m.id, m.level, m.msg) for m in messages] == [
        ("marketplace.E001", ERROR, "ENCRYPTION_KEY: the key is not valid base64.")
    ]
    with override_settings(ENCRYPTION_KEY=KEY_A, ENCRYPTION_OLD_KEYS=[]):
        assert run_checks(tags=["encryption"]) == []
