"""Encryption at rest of allauth's MFA secrets (TOTP keys, recovery-code seeds).

Fernet (AES-128-CBC + HMAC-SHA256) from `cryptography`, through a MultiFernet
over settings.MFA_ENCRYPTION_KEYS: the first key encrypts, every key decrypts,
so keys rotate by putting a new one first and re-encrypting
(`manage.py mfa_encrypt_secrets`) before the old one is removed.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

# Every Fernet token starts with its version byte 0x80 and a 64-bit timestamp
# whose top bytes are zero, i.e. "gAAAAA" in URL-safe base64. A TOTP secret
# (upper-case base32), a recovery seed (lower-case hex) and a recovery code
# (digits) never do, so this tells stored ciphertext from old plain text.
_FERNET_PREFIX = "gAAAAA"


class UndecryptableSecret(Exception):
    """A stored secret is encrypted, but under none of the configured keys."""


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.MFA_ENCRYPTION_KEYS])


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    # No plain-text fallback: a secret that does not decrypt must not be used.
    return _fernet().decrypt(token.encode()).decode()


def _reencrypted(value: str) -> str:
    """The value encrypted under the newest key, whether it was plain text or older ciphertext."""
    fernet = _fernet()
    if not value.startswith(_FERNET_PREFIX):
        return fernet.encrypt(value.encode()).decode()
    try:
        return fernet.rotate(value.encode()).decode()
    except InvalidToken as exc:
        raise UndecryptableSecret(
            "An MFA secret is encrypted under a key that is not in MFA_ENCRYPTION_KEYS: put the old key back"
        ) from exc


def authenticator_data_encrypted(*, kind: str, data: dict) -> dict:
    """A copy of one Authenticator's data with every secret in it encrypted under the newest key."""
    data = dict(data)
    if kind == "totp" and data.get("secret"):
        data["secret"] = _reencrypted(data["secret"])
    elif kind == "recovery_codes":
        if data.get("seed"):
            data["seed"] = _reencrypted(data["seed"])
        if data.get("migrated_codes"):
            data["migrated_codes"] = [_reencrypted(code) for code in data["migrated_codes"]]
    return data


def authenticator_data_decrypted(*, kind: str, data: dict) -> dict:
    """The reverse, for rolling the migration back: every secret in plain text."""
    data = dict(data)

    def plain(value: str) -> str:
        return decrypt(value) if value.startswith(_FERNET_PREFIX) else value

    if kind == "totp" and data.get("secret"):
        data["secret"] = plain(data["secret"])
    elif kind == "recovery_codes":
        if data.get("seed"):
            data["seed"] = plain(data["seed"])
        if data.get("migrated_codes"):
            data["migrated_codes"] = [plain(code) for code in data["migrated_codes"]]
    return data


def authenticators_encrypt(*, model) -> int:
    """Encrypt (or re-encrypt under the newest key) every stored MFA secret; returns rows changed."""
    changed = 0
    for authenticator in model.objects.filter(type__in=["totp", "recovery_codes"]).order_by("pk").iterator():
        data = authenticator_data_encrypted(kind=authenticator.type, data=authenticator.data)
        if data != authenticator.data:
            model.objects.filter(pk=authenticator.pk).update(data=data)
            changed += 1
    return changed
