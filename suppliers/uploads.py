"""Upload checks: size, and the real type read from the file's first bytes."""

from django.conf import settings
from django.core.exceptions import ValidationError

# Magic numbers of the evidence types we accept; the extension is never trusted.
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/zip"),  # docx/xlsx are zip containers
)
ALLOWED_DESCRIPTION = "PDF, PNG, JPEG, Word or Excel (.docx/.xlsx) or plain text"


def sniff_content_type(head: bytes) -> str | None:
    for magic, content_type in _SIGNATURES:
        if head.startswith(magic):
            return content_type
    if head and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "text/plain"
    return None


def validate_upload(uploaded) -> str:
    """Return the detected content type or raise ValidationError saying what is wrong."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if uploaded.size > limit:
        raise ValidationError(f"The file is {uploaded.size // 1024} KB; the limit is {limit // (1024 * 1024)} MB.")
    if uploaded.size == 0:
        raise ValidationError("The file is empty.")
    uploaded.seek(0)
    head = uploaded.read(2048)
    uploaded.seek(0)
    content_type = sniff_content_type(head)
    if content_type is None:
        raise ValidationError(f"This type of file is not accepted: upload a {ALLOWED_DESCRIPTION} file.")
    return content_type
