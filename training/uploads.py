"""Validation of uploaded evidence and policy documents: size and real content type."""

from django.conf import settings
from django.core.exceptions import ValidationError

# Leading bytes of the formats we accept; the file name's extension is not trusted.
SIGNATURES = {
    b"%PDF-": "PDF",
    b"\x89PNG\r\n\x1a\n": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
}


def validate_document(upload) -> None:
    """Reject files over the size limit and anything that is not a PDF, PNG or JPEG by content."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(f"The file is too large: the limit is {limit // (1024 * 1024)} MB.")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in SIGNATURES):
        raise ValidationError("Upload a PDF, PNG or JPEG file.")
