"""Re-encrypt every encrypted value under the current ENCRYPTION_KEY.

Procedure: generate a key (``--generate``), set it as ENCRYPTION_KEY, move the old one to
ENCRYPTION_OLD_KEYS, deploy, run this command, then drop the old key. Each batch commits on
its own and only rows still under an old key are selected, so the command can be killed at
any moment and run again: it continues where it stopped and never touches a row twice.
"""

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Left
from django.db.models.lookups import Exact
from tqdm import tqdm

from marketplace import crypto


def models_with_encrypted_fields():
    return [m for m in apps.get_models() if getattr(m, "ENCRYPTED_FIELDS", None)]


def stale_filter(model, current_id: str) -> Q:
    """Rows with at least one non-empty value written under another key.

    The prefix is compared exactly (``Left``), not with LIKE: SQLite's LIKE ignores case.
    """
    prefix = f"{current_id}{crypto.SEPARATOR}"
    query = Q()
    for field in model.ENCRYPTED_FIELDS:
        column = f"{field}_ciphertext"
        query |= ~Q(**{column: ""}) & ~Q(Exact(Left(column, len(prefix)), prefix))
    return query


def rotate_batch(model, pks: list[int], current_id: str) -> int:
    """Re-encrypt the stale values of these rows in one transaction; return the rows changed.

    Rows are locked and re-checked, so a row another run rotated meanwhile is left alone.
    """
    columns = [f"{field}_ciphertext" for field in model.ENCRYPTED_FIELDS]
    with transaction.atomic():
        rows = list(model.objects.select_for_update().filter(pk__in=pks).order_by("pk"))
        changed = []
        for row in rows:
            stale = False
            for field, column in zip(model.ENCRYPTED_FIELDS, columns, strict=True):
                token = getattr(row, column)
                if token and crypto.key_id_of(token) != current_id:
                    aad = row.encryption_aad(field)
                    try:
                        plaintext = crypto.decrypt(token, aad=aad)
                    except crypto.DecryptionError as exc:
                        raise CommandError(
                            f"{model._meta.label} pk={row.pk} {column}: {exc} "
                            "Nothing in this batch was changed."
                        ) from exc
                    setattr(row, column, crypto.encrypt(plaintext, aad=aad))
                    stale = True
            if stale:
                changed.append(row)
        model.objects.bulk_update(changed, columns)
    return len(changed)


class Command(BaseCommand):
    help = (
        "Re-encrypt personal data under the current ENCRYPTION_KEY. Safe to stop and re-run. "
        "--generate prints a new key instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--generate",
            metavar="KEY_ID",
            help="print a new random key with this id (for ENCRYPTION_KEY) and exit",
        )

    def handle(self, *args, batch_size: int, generate: str | None, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if generate is not None:
            try:
                self.stdout.write(crypto.generate_key(generate))
            except ImproperlyConfigured as exc:
                raise CommandError(str(exc)) from exc
            return
        current_id = crypto.get_key_ring().current_id
        total = 0
        for model in models_with_encrypted_fields():
            stale = model.objects.filter(stale_filter(model, current_id))
            todo = stale.count()
            with tqdm(
                total=todo,
                desc=f"{model._meta.label} -> {current_id}",
                unit="row",
                disable=todo == 0 or options["verbosity"] == 0,
                # The raw stream: progress goes to stderr, stdout keeps only the summary.
                file=self.stderr._out,
            ) as bar:
                last_pk = 0
                while True:
                    pks = list(
                        stale.filter(pk__gt=last_pk)
                        .order_by("pk")
                        .values_list("pk", flat=True)[:batch_size]
                    )
                    if not pks:
                        break
                    done = rotate_batch(model, pks, current_id)
                    total += done
                    bar.update(len(pks))
                    last_pk = pks[-1]
        self.stdout.write(
            self.style.SUCCESS(f"Re-encrypted {total} row(s) under key {current_id!r}.")
        )
