"""Uploads: limits per submission, the allow-list of file types (by content), and safe names.

Every app's upload checks build on this module:
* `UploadLimitMiddleware` puts `SubmissionLimitHandler` first in every
  multipart POST, so too many files or too many bytes stop the upload while
  it is read (from the Content-Length before any file, and chunk by chunk),
  never holding the refused files; the form still gets its text fields and
  shows the refusal on the file field.
* `detect_content_type` accepts only plain text, PDF, PNG/JPEG/GIF and Word or
  Excel documents, recognised by their bytes, and refuses HTML, SVG, XML and
  files that are another type with HTML inside (PDF/HTML polyglots).
* `stored_name` and `display_name` give the name a file is kept under (random)
  and the name it is downloaded as (derived from the person's name, cleaned,
  with the extension of the type it really is).
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.template.defaultfilters import filesizeformat
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = {
    "text/plain": "txt",
    PDF: "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    DOCX: "docx",
    XLSX: "xlsx",
}
# Lazy: the reporting journey shows it in the reporter's language.
ALLOWED_DESCRIPTION = gettext_lazy("PDF, PNG, JPEG, GIF, Word (.docx), Excel (.xlsx) or plain text")

# Markup a browser would run if it ever rendered the file: refused whatever else the file is.
_MARKUP = re.compile(
    rb"<\s*(?:!doctype|html|head|body|script|svg|iframe|object|embed|meta|link|style|form|img|a\s+href)"
    rb"|javascript:",
    re.IGNORECASE,
)


def contains_markup(data: bytes) -> bool:
    """True when the bytes carry HTML, SVG or XML markup anywhere (a page, an image or a polyglot)."""
    return bool(_MARKUP.search(data))


def _zip_names(data: bytes) -> set[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return set()


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def detect_content_type(data: bytes) -> str | None:
    """The type the bytes really are, among those we accept; None for anything else."""
    if not data:
        return None
    if data.startswith(b"PK\x03\x04"):
        # Office documents are zip archives; their parts are compressed, so markup inside is not scanned.
        names = _zip_names(data)
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return DOCX
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return XLSX
        return None
    # Anything else with markup in it is a page, an SVG, or a polyglot that a browser could render.
    if contains_markup(data):
        return None
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    # Executables and scripts are refused whatever they are called.
    if data.startswith((b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")):
        return None
    # Text that opens with a tag is markup (XML, XHTML, SVG), not a note.
    if _is_text(data) and not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "text/plain"
    return None


def stored_name(content_type: str) -> str:
    """A random file name for storage: nothing a person typed reaches the file system."""
    return f"{uuid.uuid4().hex}.{EXTENSIONS.get(content_type, 'bin')}"


def generated_upload_name(filename: str) -> str:
    """A random name keeping only a known extension (for a file whose type a validator checked)."""
    ext = (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    return f"{uuid.uuid4().hex}.{ext if ext in set(EXTENSIONS.values()) | {'jpeg'} else 'bin'}"


_UNSAFE = re.compile(r"[^\w .()-]+")


def display_name(original: str, content_type: str) -> str:
    """The name a download is offered under: the person's name cleaned, with the true extension."""
    base = (original or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _UNSAFE.sub("_", stem).strip(" ._")[:80] or "file"
    return f"{stem}.{EXTENSIONS.get(content_type, 'bin')}"


# --- Limits per submission ----------------------------------------------------------------


class RefusedUpload(SimpleUploadedFile):
    """Stands in for the files of a submission that broke a limit: validators show its reason."""

    def __init__(self, field_name: str, reason: str):
        # One byte so Django's FileField does not call it "empty" before our validators speak.
        super().__init__(name="refused", content=b"\x00", content_type="application/octet-stream")
        self.field_name = field_name
        self.reason = reason


def refusal_of(upload) -> str | None:
    return getattr(upload, "reason", None) if isinstance(upload, RefusedUpload) else None


def raise_if_refused(upload) -> None:
    """Refuse a file whose submission broke the per-submission limits, with the reason."""
    reason = refusal_of(upload)
    if reason:
        raise ValidationError(reason, code="limit")


def limits_description() -> str:
    return (
        f"at most {settings.UPLOAD_MAX_FILES} files and {filesizeformat(settings.UPLOAD_MAX_TOTAL_BYTES)} "
        "in total each time you send the form"
    )


class SubmissionLimitHandler(FileUploadHandler):
    """Stops reading files once a submission has too many of them or too many bytes."""

    def __init__(self, request=None):
        super().__init__(request)
        self.max_files = settings.UPLOAD_MAX_FILES
        self.max_bytes = settings.UPLOAD_MAX_TOTAL_BYTES
        self.files = 0
        self.bytes = 0
        self.reason = ""
        self.field_names: list[str] = []

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # The Content-Length already tells when the files cannot fit: refuse them before reading any.
        if content_length and content_length > self.max_bytes + settings.UPLOAD_FORM_TEXT_ALLOWANCE:
            self.reason = (
                f"Your files were not accepted: together they are larger than "
                f"{filesizeformat(self.max_bytes)}. Send {limits_description()}."
            )
        return None

    def new_file(self, field_name, *args, **kwargs):
        self.field_names.append(field_name)
        self.files += 1
        if not self.reason and self.files > self.max_files:
            self.reason = (
                f"Your files were not accepted: you sent more than {self.max_files}. Send {limits_description()}."
            )
        if self.reason:
            # The parser drops the rest of the body without keeping it; the text fields before it are kept.
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data, start):
        self.bytes += len(raw_data)
        if self.bytes > self.max_bytes:
            self.reason = (
                f"Your files were not accepted: together they are larger than "
                f"{filesizeformat(self.max_bytes)}. Send {limits_description()}."
            )
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


class UploadLimitMiddleware:
    """Installs the per-submission limits on every multipart POST (pages and API alike)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type == "multipart/form-data":
            handler = SubmissionLimitHandler(request)
            request.upload_handlers.insert(0, handler)
            request.POST  # noqa: B018  parse now, with the limits in place, before anything else reads it
            if handler.reason:
                # Every file field of the form gets the refusal, so the form says why and keeps its text.
                names = handler.field_names or ["file"]
                request._files = MultiValueDict({name: [RefusedUpload(name, handler.reason)] for name in names})
                request.upload_refused = handler.reason
        return self.get_response(request)
