"""Encrypt every stored case value and file under the newest key in DATA_ENCRYPTION_KEYS (key rotation)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from compliance.encryption import UndecryptableData, encrypt_all_case_data


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field (narratives, notes, messages, contact details, referral free text) "
        "and every attachment file under the first key of DATA_ENCRYPTION_KEYS (values still in clear are "
        "encrypted). Run after putting a new key first; then remove the old key. Safe to run again."
    )

    def handle(self, *args, **options):
        try:
            # One transaction: a value under an unknown key stops the run with no row changed.
            with transaction.atomic():
                counts = encrypt_all_case_data()
        except UndecryptableData as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Re-encrypted {counts['values']} value(s) and {counts['files']} file(s) under the newest key."
        )
