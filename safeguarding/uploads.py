"""Attachment checks: size and type read from the file's content, never its name."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

ALLOWED_DESCRIPTION = "PDF, PNG, JPEG, Word (.docx) or plain text"


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str
    data: bytes


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return "word/document.xml" in names and "[Content_Types].xml" in names


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def detect_content_type(data: bytes) -> str | None:
    """The MIME type the bytes really are, among those we accept; None otherwise."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04") and _is_docx(data):
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    # Executables and scripts are refused whatever they are called.
    if data.startswith((b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")):
        return None
    if data and _is_text(data):
        return "text/plain"
    return None


def check_upload(upload) -> CheckedFile:
    """Read an uploaded file and refuse it, with a message a person understands, unless it is safe."""
    name = (getattr(upload, "name", "") or "attachment").rsplit("/", 1)[-1][:200]
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(f"“{name}” is larger than the {filesizeformat(limit)} limit.", code="too_large")
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(f"“{name}” is larger than the {filesizeformat(limit)} limit.", code="too_large")
    if not data:
        raise ValidationError(f"“{name}” is empty.", code="empty")
    content_type = detect_content_type(data)
    if content_type is None:
        raise ValidationError(
            f"“{name}” is not a file type we accept: its content is not a {ALLOWED_DESCRIPTION} file.",
            code="bad_type",
        )
    return CheckedFile(
        name=name, content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data
    )


def check_uploads(uploads) -> list[CheckedFile]:
    """Check every file and report every bad one at once."""
    checked, errors = [], []
    for upload in uploads or ():
        try:
            checked.append(check_upload(upload))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"attachments": errors})
    return checked
