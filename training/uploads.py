"""Validation of uploaded evidence and policy documents: size and real content type."""

from django.conf import settings
from django.core.exceptions import ValidationError

from compliance.uploads import contains_markup, raise_if_refused

# Leading bytes of the formats we accept; the file name's extension is not trusted.
SIGNATURES = {
    b"%PDF-": "PDF",
    b"\x89PNG\r\n\x1a\n": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
}


def validate_document(upload) -> None:
    """Reject files over the size limit and anything that is not a PDF, PNG or JPEG by content."""
    raise_if_refused(upload)
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(f"The file is too large: the limit is {limit // (1024 * 1024)} MB.")
    upload.seek(0)
    data = upload.read(limit)
    upload.seek(0)
    # A PDF or image with web page code inside (a polyglot) is refused like a web page.
    if not any(data.startswith(signature) for signature in SIGNATURES) or contains_markup(data):
        raise ValidationError("Upload a PDF, PNG or JPEG file.")
