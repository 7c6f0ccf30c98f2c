"""Case references and the anonymous reporter's receipt code."""

from __future__ import annotations

import hashlib
import re
import secrets
from base64 import b32encode

from django.db import IntegrityError, transaction
from django.db.models import F

from safeguarding.models import ReferenceCounter


def reference_next(*, year: int) -> str:
    """Issue the next reference for a year, unique even when two people submit at once."""
    # The UPDATE locks the year's row until the caller's transaction commits,
    # so concurrent submissions queue here instead of reading the same number.
    with transaction.atomic():
        updated = ReferenceCounter.objects.filter(year=year).update(last=F("last") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    ReferenceCounter.objects.create(year=year, last=1)
            except IntegrityError:
                ReferenceCounter.objects.filter(year=year).update(last=F("last") + 1)
        last = ReferenceCounter.objects.get(year=year).last
    return f"MS-{year}-{last:05d}"


_CODE_TYPO = str.maketrans({"0": "O", "1": "I", "8": "B"})


def receipt_code_normalise(code: str) -> str:
    """The code as stored: spaces, dashes and case do not matter; look-alike digits read as letters."""
    # Digits that look like letters of the base32 alphabet are read as those letters.
    return re.sub(r"[^A-Z2-7]", "", (code or "").upper().translate(_CODE_TYPO))


def receipt_code_hash(code: str) -> str:
    """The digest kept for a receipt code (the code itself is never stored)."""
    # 120 random bits: a plain hash is enough, no guessable input to salt.
    return hashlib.sha256(receipt_code_normalise(code).encode()).hexdigest()


def receipt_code_generate() -> str:
    """A random code of 24 characters (120 bits) in groups of four, easy to read out."""
    raw = b32encode(secrets.token_bytes(15)).decode()
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))
