"""Attachment checks: size and type read from the file's content, never its name."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from compliance.uploads import (
    ALLOWED_DESCRIPTION,
    detect_content_type,
    display_name,
    limits_description,
    raise_if_refused,
    refusal_of,
)

__all__ = ["ALLOWED_DESCRIPTION", "CheckedFile", "check_upload", "check_uploads", "detect_content_type"]


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str
    data: bytes


def check_upload(upload) -> CheckedFile:
    """Read an uploaded file and refuse it, with a message a person understands, unless it is safe."""
    raise_if_refused(upload)
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
            f"“{name}” is not a file type we accept: its content is not a {ALLOWED_DESCRIPTION} file "
            "(web pages, SVG images and files with web page code inside are refused).",
            code="bad_type",
        )
    return CheckedFile(
        # The name it will be downloaded under: cleaned, with the extension of what it really is.
        name=display_name(name, content_type),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
    )


def check_uploads(uploads) -> list[CheckedFile]:
    """Check every file and report every bad one at once."""
    uploads = list(uploads or ())
    refused = next((refusal_of(u) for u in uploads if refusal_of(u)), None)
    if refused:
        raise ValidationError({"attachments": [refused]})
    if len(uploads) > settings.UPLOAD_MAX_FILES:
        # The same limit as the upload handler's, for callers that are not a web request.
        raise ValidationError({"attachments": [f"Too many files: send {limits_description()}."]})
    if sum(u.size or 0 for u in uploads) > settings.UPLOAD_MAX_TOTAL_BYTES:
        raise ValidationError({"attachments": [f"The files are too large together: send {limits_description()}."]})
    checked, errors = [], []
    for upload in uploads:
        try:
            checked.append(check_upload(upload))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"attachments": errors})
    return checked
