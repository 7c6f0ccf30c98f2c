"""Upload checks: size, and the real type read from the file's content (compliance.uploads)."""

from django.conf import settings
from django.core.exceptions import ValidationError

from compliance.uploads import ALLOWED_DESCRIPTION, detect_content_type, raise_if_refused

__all__ = ["ALLOWED_DESCRIPTION", "validate_upload"]


def validate_upload(uploaded) -> str:
    """Return the detected content type or raise ValidationError saying what is wrong."""
    raise_if_refused(uploaded)
    limit = settings.ATTACHMENT_MAX_BYTES
    if uploaded.size > limit:
        raise ValidationError(f"The file is {uploaded.size // 1024} KB; the limit is {limit // (1024 * 1024)} MB.")
    if uploaded.size == 0:
        raise ValidationError("The file is empty.")
    uploaded.seek(0)
    # The whole file (at most the limit) is read, so that markup hidden after a PDF header is found.
    data = uploaded.read(limit)
    uploaded.seek(0)
    content_type = detect_content_type(data)
    if content_type is None:
        raise ValidationError(
            f"This type of file is not accepted: upload a {ALLOWED_DESCRIPTION} file "
            "(web pages, SVG images and files with web page code inside are refused)."
        )
    return content_type
