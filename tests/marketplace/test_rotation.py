"""rotate_encryption_key: old keys stay readable, every row moves, a crash loses nothing."""

import base64
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from marketplace import crypto
from marketplace.management.commands import rotate_encryption_key as command
from marketplace.models import User
from tests.factories import UserFactory

KEY_A = "ka:" + base64.b64encode(bytes(range(32))).decode()
KEY_B = "kb:" + base64.b64encode(bytes(range(100, 132))).decode()
ONLY_A = {"ENCRYPTION_KEY": KEY_A, "ENCRYPTION_OLD_KEYS": []}
B_WITH_OLD_A = {"ENCRYPTION_KEY": KEY_B, "ENCRYPTION_OLD_KEYS": [KEY_A]}
ONLY_B = {"ENCRYPTION_KEY": KEY_B, "ENCRYPTION_OLD_KEYS": []}
COLUMNS = ("email_ciphertext", "phone_ciphertext", "personnummer_ciphertext")


def create_people_under_key_a(count: int) -> dict[int, tuple[str, str, str]]:
    """Users written under key A; every other one without phone and personnummer."""
    people = {}
    with override_settings(**ONLY_A):
        for n in range(count):
            if n % 2 == 0:
                user = UserFactory(
                    email=f"Person{n}@Example.se",
                    phone=f"+46 70 000 00 0{n}",
                    personnummer="19121212-1212",
                )
            else:
                user = UserFactory(email=f"Person{n}@Example.se")
            people[user.pk] = (user.email, user.phone, user.personnummer)
    return people


def read_all() -> dict[int, tuple[str, str, str]]:
    return {u.pk: (u.email, u.phone, u.personnummer) for u in User.objects.order_by("pk")}


def key_ids() -> dict[int, set[str]]:
    """The key ids found in each row's non-empty encrypted columns."""
    return {
        row[0]: {crypto.key_id_of(token) for token in row[1:] if token}
        for row in User.objects.order_by("pk").values_list("pk", *COLUMNS)
    }


def rotate(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("rotate_encryption_key", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_rotation_moves_every_row_to_the_new_key_and_old_rows_stay_readable_until_then():
    # Given five users written under key A
    people = create_people_under_key_a(5)

    with override_settings(**B_WITH_OLD_A):
        # When B becomes the current key and A an old one, rows are still readable
        assert read_all() == people
        assert set().union(*key_ids().values()) == {"ka"}

        # And the command runs
        out, err = rotate()

        # Then every ciphertext starts with B's id and decrypts to the same values
        assert out == "Re-encrypted 5 row(s) under key 'kb'.\n"
        assert key_ids() == {pk: {"kb"} for pk in people}
        for row in User.objects.values_list(*COLUMNS):
            assert all(token.startswith("kb$") for token in row if token)
        assert read_all() == people
        # And the progress bar went to stderr, not stdout
        assert "marketplace.User -> kb" in err
        assert "5/5" in err

    # And with only B configured afterwards, everything still reads
    with override_settings(**ONLY_B):
        assert read_all() == people


@pytest.mark.django_db
def test_empty_optional_columns_stay_empty_after_rotation():
    people = create_people_under_key_a(2)

    with override_settings(**B_WITH_OLD_A):
        rotate()
        odd_pk = max(people)
        assert User.objects.values_list("phone_ciphertext", "personnummer_ciphertext").get(
            pk=odd_pk
        ) == ("", "")


@pytest.mark.django_db(transaction=True)
def test_a_run_killed_after_its_first_batch_is_finished_by_a_rerun(monkeypatch):
    # Given five users under key A, B now current, and a command that dies in its 2nd batch
    people = create_people_under_key_a(5)
    pks = sorted(people)
    real_rotate_batch = command.rotate_batch
    batches: list[list[int]] = []

    def dies_in_second_batch(model, batch_pks, current_id):
        if model is User:
            batches.append(list(batch_pks))
            if len(batches) == 2:
                raise RuntimeError("killed")
        return real_rotate_batch(model, batch_pks, current_id)

    monkeypatch.setattr(command, "rotate_batch", dies_in_second_batch)

    with override_settings(**B_WITH_OLD_A):
        # When the command runs with batches of two and is killed
        with pytest.raises(RuntimeError, match="killed"):
            rotate("--batch-size", "2")

        # Then the committed first batch is under B, the rest still under A, all readable
        assert batches == [pks[:2], pks[2:4]]
        assert key_ids() == {pk: {"kb"} if pk in pks[:2] else {"ka"} for pk in pks}
        assert read_all() == people
        rotated_before = dict(User.objects.filter(pk__in=pks[:2]).values_list("pk", *COLUMNS[:1]))

        # When it is run again (no longer killed), counting every re-encryption
        monkeypatch.setattr(command, "rotate_batch", real_rotate_batch)
        encrypted_aads: list[bytes] = []
        real_encrypt = crypto.encrypt

        def counting_encrypt(plaintext, *, aad):
            encrypted_aads.append(aad)
            return real_encrypt(plaintext, aad=aad)

        monkeypatch.setattr(crypto, "encrypt", counting_encrypt)
        out, _ = rotate("--batch-size", "2")

        # Then it finishes the job and touched only the three rows still under A
        assert out == "Re-encrypted 3 row(s) under key 'kb'.\n"
        uids = {str(u.uid): u.pk for u in User.objects.all()}
        touched = {uids[aad.decode().split(":")[1]] for aad in encrypted_aads}
        assert touched == set(pks[2:])
        # pks[2] and pks[4] have three values, pks[3] only an email
        assert len(encrypted_aads) == 3 + 1 + 3
        assert dict(User.objects.filter(pk__in=pks[:2]).values_list("pk", *COLUMNS[:1])) == (
            rotated_before
        )
        assert key_ids() == {pk: {"kb"} for pk in pks}
        assert read_all() == people

        # And a further run has nothing to do
        out, err = rotate()
        assert out == "Re-encrypted 0 row(s) under key 'kb'.\n"
        assert err == ""

    with override_settings(**ONLY_B):
        assert read_all() == people


@pytest.mark.django_db
def test_a_row_with_one_stale_column_is_rotated_and_its_current_columns_are_kept():
    people = create_people_under_key_a(1)
    pk = next(iter(people))
    with override_settings(**B_WITH_OLD_A):
        user = User.objects.get(pk=pk)
        user.phone = "+46 8 123 456"
        user.save()
        fresh_phone = User.objects.values_list("phone_ciphertext", flat=True).get(pk=pk)
        assert key_ids() == {pk: {"ka", "kb"}}

        out, _ = rotate()

        assert out == "Re-encrypted 1 row(s) under key 'kb'.\n"
        assert key_ids() == {pk: {"kb"}}
        assert User.objects.values_list("phone_ciphertext", flat=True).get(pk=pk) == fresh_phone
        assert User.objects.get(pk=pk).phone == "+46 8 123 456"


@pytest.mark.django_db
def test_a_row_that_does_not_decrypt_stops_the_command_and_its_batch_is_unchanged():
    # Given two users under A, the second with the first's email ciphertext pasted in
    people = create_people_under_key_a(2)
    first, second = sorted(people)
    first_token = User.objects.values_list("email_ciphertext", flat=True).get(pk=first)
    User.objects.filter(pk=second).update(email_ciphertext=first_token)
    before = list(User.objects.order_by("pk").values_list(*COLUMNS))

    with (
        override_settings(**B_WITH_OLD_A),
        pytest.raises(CommandError, match=rf"marketplace\.User pk={second} email_ciphertext"),
    ):
        rotate()

    assert list(User.objects.order_by("pk").values_list(*COLUMNS)) == before


@pytest.mark.django_db
def test_a_row_under_a_key_that_is_not_configured_stops_the_command():
    create_people_under_key_a(1)

    with override_settings(**ONLY_B), pytest.raises(CommandError, match="No key with id 'ka'"):
        rotate()


@pytest.mark.django_db
def test_rotation_with_nothing_stale_reports_zero_and_draws_no_bar():
    with override_settings(**ONLY_A):
        UserFactory()

        out, err = rotate()

    assert (out, err) == ("Re-encrypted 0 row(s) under key 'ka'.\n", "")


def test_generate_prints_a_usable_key():
    out, err = rotate("--generate", "k2027")

    spec = out.strip()
    assert err == ""
    assert spec.startswith("k2027:")
    assert len(base64.b64decode(spec.split(":", 1)[1])) == 32
    with override_settings(ENCRYPTION_KEY=spec, ENCRYPTION_OLD_KEYS=[]):
        token = crypto.encrypt("hello", aad=b"aad")
        assert token.startswith("k2027$")
        assert crypto.decrypt(token, aad=b"aad") == "hello"


def test_generate_refuses_an_unusable_key_id():
    with pytest.raises(CommandError, match="the key id 'bad\\$id' must be"):
        rotate("--generate", "bad$id")
