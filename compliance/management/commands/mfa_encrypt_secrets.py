"""Encrypt every stored MFA secret under the newest key in MFA_ENCRYPTION_KEYS (key rotation)."""

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand, CommandError

from compliance.mfa_secrets import UndecryptableSecret, authenticators_encrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt every TOTP secret and recovery-code seed under the first key of MFA_ENCRYPTION_KEYS "
        "(plain-text ones are encrypted). Run after putting a new key first; then remove the old key."
    )

    def handle(self, *args, **options):
        try:
            changed = authenticators_encrypt(model=Authenticator)
        except UndecryptableSecret as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Re-encrypted the secrets of {changed} authenticator(s) under the newest key.")
