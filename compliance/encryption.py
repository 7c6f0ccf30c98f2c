"""Encryption at rest of case data: free-text model fields and uploaded files.

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) through a MultiFernet over
settings.DATA_ENCRYPTION_KEYS, newest first: the first key encrypts, every key
decrypts, so a key rotates by putting a new one first, running
`manage.py encrypt_case_data` (re-encrypts every value and file under the newest key)
and then removing the old one (README "Secrets at rest").

Why not a library: django-fernet-encrypted-fields (the maintained one) derives its keys
from SECRET_KEY and a SALT_KEY by PBKDF2, so rotating Django's signing key would touch
case data, it has no re-encryption command and does not cover files; the MFA secrets
here already use plain MultiFernet keys from the environment, and this module does
the same for case data with its own keys.

Encrypted values are not searchable: a lookup other than `isnull` or `exact` / `in`
against "" raises FieldError rather than silently matching nothing. References and
structured fields (status, risk, dates, choices) stay in clear and searchable.
"""

from __future__ import annotations

import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError
from django.db import connection, models
from django.db.models import lookups

# A Fernet token starts with version byte 0x80 and a 64-bit timestamp whose top
# bytes are zero: "gAAAAA" in URL-safe base64. Text and files stored before
# encryption was switched on do not (a file's magic bytes never are), which is how
# `encrypt_case_data` and the readers tell old plain values from ciphertext.
FERNET_PREFIX = "gAAAAA"
FERNET_PREFIX_BYTES = FERNET_PREFIX.encode()


class UndecryptableData(Exception):
    """A stored value is encrypted, but under none of the keys in DATA_ENCRYPTION_KEYS."""


@functools.lru_cache(maxsize=4)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _fernet() -> MultiFernet:
    return _multifernet(tuple(settings.DATA_ENCRYPTION_KEYS))


def encrypt_bytes(data: bytes) -> bytes:
    """`data` encrypted under the newest key."""
    return _fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    """The plain bytes of what `encrypt_bytes` made; a file stored before encryption is returned as it is."""
    if not token.startswith(FERNET_PREFIX_BYTES):
        return token
    try:
        return _fernet().decrypt(token)
    except InvalidToken as exc:
        raise UndecryptableData(
            "Stored case data is encrypted under a key that is not in DATA_ENCRYPTION_KEYS: put the old key back"
        ) from exc


def encrypt_text(text: str) -> str:
    return encrypt_bytes(text.encode()).decode()


def decrypt_text(value: str) -> str:
    # A value written before the field was encrypted reads as it is until
    # `encrypt_case_data` (or the migration that switched encryption on) has encrypted it.
    return decrypt_bytes(value.encode()).decode()


def is_encrypted(value: str | bytes | None) -> bool:
    if not value:
        return True  # nothing to hide
    prefix = FERNET_PREFIX_BYTES if isinstance(value, bytes) else FERNET_PREFIX
    return value.startswith(prefix)


def reencrypted(value: str | bytes) -> str | bytes | None:
    """`value` encrypted under the newest key, or None when it already is (plain values are encrypted)."""
    raw = value.encode() if isinstance(value, str) else value
    keys = list(settings.DATA_ENCRYPTION_KEYS)
    if raw.startswith(FERNET_PREFIX_BYTES):
        try:
            Fernet(keys[0]).decrypt(raw)
            return None
        except InvalidToken:
            pass
        try:
            token = _fernet().rotate(raw)
        except InvalidToken as exc:
            raise UndecryptableData(
                "Stored case data is encrypted under a key that is not in DATA_ENCRYPTION_KEYS: put the old key back"
            ) from exc
    else:
        token = _fernet().encrypt(raw)
    return token.decode() if isinstance(value, str) else token


class _EmptyOnlyExact(lookups.Exact):
    """`field=""` still works (blank checks); comparing ciphertext with a value never could."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise FieldError(f"{self.lhs.target.name} is encrypted: it cannot be searched by value.")
        return super().get_prep_lookup()


class EncryptedFieldMixin:
    """Stores the value Fernet-encrypted in a text column; reads decrypt it."""

    encrypted = True
    _allowed_lookups = {"isnull": lookups.IsNull, "exact": _EmptyOnlyExact}

    def get_internal_type(self):
        # Ciphertext is about 1.4 times the text plus 57 bytes: a text column whatever max_length says.
        return "TextField"

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return decrypt_text(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))

    def get_lookup(self, lookup_name):
        if lookup_name not in self._allowed_lookups:
            raise FieldError(f"{self.name} is encrypted: the lookup '{lookup_name}' cannot work on it.")
        return self._allowed_lookups[lookup_name]


class EncryptedTextField(EncryptedFieldMixin, models.TextField):
    """A TextField whose value is encrypted at rest (narratives, notes, messages)."""


class EncryptedCharField(EncryptedFieldMixin, models.CharField):
    """A CharField (max_length still validates the form and API) whose value is encrypted at rest."""


def encrypted_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if getattr(f, "encrypted", False)]


def encrypt_table_columns(*, model, columns: list[str]) -> int:
    """Encrypt (or re-encrypt under the newest key) `columns` of every row of `model`'s table; returns values changed.

    Raw SQL on the table, so it works the same from a migration (historical model)
    and from `encrypt_case_data`, and never double-encrypts.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    quoted = [connection.ops.quote_name(c) for c in columns]
    changed = 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk}, {', '.join(quoted)} FROM {table} ORDER BY {pk}")  # noqa: S608 - quoted names
        rows = cursor.fetchall()
    for row in rows:
        updates = {}
        for column, value in zip(quoted, row[1:], strict=True):
            if value:
                token = reencrypted(value)
                if token is not None:
                    updates[column] = token
        if updates:
            sets = ", ".join(f"{c} = %s" for c in updates)
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET {sets} WHERE {pk} = %s", [*updates.values(), row[0]])  # noqa: S608
            changed += len(updates)
    return changed


def decrypt_table_columns(*, model, columns: list[str]) -> None:
    """The reverse of `encrypt_table_columns`, for rolling a migration back: every value in clear."""
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    quoted = [connection.ops.quote_name(c) for c in columns]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk}, {', '.join(quoted)} FROM {table}")  # noqa: S608 - quoted names
        rows = cursor.fetchall()
        for row in rows:
            plain = [decrypt_text(v) if v else v for v in row[1:]]
            sets = ", ".join(f"{c} = %s" for c in quoted)
            cursor.execute(f"UPDATE {table} SET {sets} WHERE {pk} = %s", [*plain, row[0]])  # noqa: S608


def encrypt_stored_file(field_file) -> bool:
    """Encrypt (or re-encrypt under the newest key) one stored file in place; returns whether it changed."""
    if not field_file:
        return False
    storage, name = field_file.storage, field_file.name
    if not storage.exists(name):
        return False
    with storage.open(name, "rb") as handle:
        data = handle.read()
    token = reencrypted(data)
    if token is None:
        return False
    # Same name: delete then save (storages never overwrite, so save() would pick a new name).
    from django.core.files.base import ContentFile

    storage.delete(name)
    saved = storage.save(name, ContentFile(token))
    if saved != name:  # pragma: no cover - only if another writer took the name in between
        raise RuntimeError(f"Re-encrypted file {name} was stored as {saved}")
    return True


def encrypt_all_case_data() -> dict[str, int]:
    """Encrypt under the newest key every encrypted field of every model, and every file of models that
    list `encrypted_file_fields`; returns values and files changed (`manage.py encrypt_case_data`)."""
    from django.apps import apps

    counts = {"values": 0, "files": 0}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        columns = [f.column for f in encrypted_fields(model)]
        if columns:
            counts["values"] += encrypt_table_columns(model=model, columns=columns)
        for name in getattr(model, "encrypted_file_fields", ()):
            for obj in model._base_manager.exclude(**{name: ""}).iterator():
                counts["files"] += encrypt_stored_file(getattr(obj, name))
    return counts
