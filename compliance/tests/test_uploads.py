"""Uploads: limits per submission, refused before the files are kept; an allow-list of types by content."""

import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.client import encode_multipart
from django.urls import reverse

from compliance.uploads import UploadLimitMiddleware, detect_content_type, display_name
from safeguarding.models import Attachment, Concern

pytestmark = pytest.mark.django_db

FORM = {
    "immediate_danger": "no",
    "subject_type": "agency_worker",
    "location_text": "Staff car park",
    "indicators": ["excessive_hours"],
    "narrative": "He sleeps in the van between shifts and says the driver keeps his ID card.",
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
POLYGLOT = b"%PDF-1.4\n%<html><body><script>fetch('/cases/')</script></body></html>\n1 0 obj<<>>endobj\n%%EOF"


def _files(n, size=100, name="note{}.txt"):
    return [SimpleUploadedFile(name.format(i), b"a" * size, content_type="text/plain") for i in range(n)]


def _post(client, files):
    return client.post(reverse("safeguarding:report_anonymous"), {**FORM, "attachments": files})


def _page(response) -> str:
    return html.unescape(response.content.decode())


def test_too_many_files_are_refused_with_the_reason_and_the_text_is_kept(client, settings):
    settings.UPLOAD_MAX_FILES = 3
    response = _post(client, _files(4))
    page = _page(response)
    assert "Your files were not accepted: you sent more than 3" in page
    assert "at most 3 files" in page
    assert FORM["narrative"] in page  # the person does not type it again
    assert not Concern.objects.exists() and not Attachment.objects.exists()
    # Within the limit, the same report goes through with its files.
    _post(client, _files(3))
    assert Attachment.objects.count() == 3


def test_too_many_bytes_are_refused(client, settings):
    settings.UPLOAD_MAX_TOTAL_BYTES = 1000
    settings.UPLOAD_FORM_TEXT_ALLOWANCE = 10_000  # so this is the chunk count, not the Content-Length
    page = _page(_post(client, _files(2, size=600)))
    assert "together they are larger than 1000" in page
    assert not Concern.objects.exists()


class _Spy(FileUploadHandler):
    """Sits after the limit handler and records what reached the handlers that keep files."""

    seen = 0
    files = 0

    def new_file(self, *args, **kwargs):
        type(self).files += 1

    def receive_data_chunk(self, raw_data, start):
        type(self).seen += len(raw_data)
        return None

    def file_complete(self, file_size):
        return None


@pytest.mark.parametrize(
    ("allowance", "max_seen"),
    [(0, 0), (10**6, 64 * 1024 + 2000)],
    ids=["by content length, before any file", "chunk by chunk, before the rest"],
)
def test_files_over_the_limit_never_reach_a_handler_that_keeps_them(settings, allowance, max_seen):
    settings.UPLOAD_MAX_TOTAL_BYTES = 2000
    settings.UPLOAD_FORM_TEXT_ALLOWANCE = allowance
    _Spy.seen = _Spy.files = 0
    big = SimpleUploadedFile("big.txt", b"a" * 3_000_000, content_type="text/plain")
    body = encode_multipart("BoUnDaRy", {"narrative": "kept", "attachments": big})
    request = RequestFactory().post("/report/", data=body, content_type="multipart/form-data; boundary=BoUnDaRy")
    request.upload_handlers.append(_Spy())
    seen = {}

    def view(req):
        seen["narrative"] = req.POST.get("narrative")
        seen["refused"] = [getattr(f, "reason", "") for f in req.FILES.getlist("attachments")]
        return HttpResponse()

    UploadLimitMiddleware(view)(request)
    assert seen["narrative"] == "kept"
    assert "larger than" in seen["refused"][0]
    # Of a 3 MB file, at most one read chunk got past the limit handler.
    assert _Spy.seen <= max_seen


@pytest.mark.parametrize(
    ("name", "content"),
    [("page.html", HTML), ("page.txt", HTML), ("drawing.svg", SVG), ("report.pdf", POLYGLOT)],
    ids=["html", "html-called-txt", "svg", "pdf-html-polyglot"],
)
def test_markup_is_refused_with_a_clear_message(client, name, content):
    page = _page(_post(client, [SimpleUploadedFile(name, content, content_type="application/pdf")]))
    assert f"“{name}” is not a file type we accept" in page
    assert "web pages, SVG images and files with web page code inside are refused" in page
    assert not Concern.objects.exists()


def test_allowed_types_are_recognised_by_content():
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    assert detect_content_type(PDF) == "application/pdf"
    assert detect_content_type(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20) == "image/png"
    assert detect_content_type(buffer.getvalue()).endswith("spreadsheetml.sheet")
    assert detect_content_type("Notes: he works 70 hours; pay = £2/hour.".encode()) == "text/plain"
    for refused in (HTML, SVG, POLYGLOT, b"<?xml version='1.0'?><x/>", b"MZ\x90\x00", b"PK\x03\x04junk"):
        assert detect_content_type(refused) is None


def test_a_file_is_stored_under_a_generated_name_and_offered_under_a_clean_one(client, make_user, login):
    _post(client, [SimpleUploadedFile("../../Rota <week 3>.html", b"Monday: 14 hours", content_type="text/html")])
    attachment = Attachment.objects.get()
    assert attachment.original_name == "Rota _week 3.txt"
    assert "Rota" not in attachment.file.name and ".." not in attachment.file.name
    assert display_name("C:\\Users\\x\\scan.PDF.exe", "application/pdf") == "scan.PDF.pdf"


def test_failed_submissions_count_towards_the_flood_limit(client, settings):
    settings.ANONYMOUS_REPORTS_PER_HOUR = 2
    settings.UPLOAD_MAX_FILES = 1
    for _ in range(2):
        assert "not accepted" in _page(_post(client, _files(2)))
    page = _page(client.post(reverse("safeguarding:report_anonymous"), FORM))
    assert "Too many reports have been sent from this connection" in page
    assert not Concern.objects.exists()
