"""Supplier portal by link: the link's life (hashed, expiring, revocable, stopped by termination), what the
contact does there (accept the code with name, role, time and address; upload certificates through the shared
upload check), what procurement sees, and the certificate expiry reminders."""

import datetime
import hashlib
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from compliance import roles
from compliance.models import Notification, OutboxMessage
from suppliers.models import CodeOfConductAcceptance, Supplier, SupplierCertificate, SupplierPortalLink
from suppliers.services import portal as portal_services
from suppliers.services import register as register_services
from suppliers.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n% SMETA 4-pillar audit report\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def code(procurement):
    return register_services.code_of_conduct_publish(
        actor=procurement,
        version="2026.1",
        title="Supplier code of conduct",
        clauses="No worker pays a recruitment fee.\nNo one's identity documents are held.",
        effective_from=datetime.date(2026, 1, 1),
    )


def _sent(supplier, procurement, code):
    link, token = portal_services.conduct_send(supplier=supplier, actor=procurement)
    return link, token


def _open(client, token, **extra):
    return client.get(reverse("suppliers:portal_public", args=[token]), follow=True, **extra)


def _certificate_data(**overrides):
    data = {
        "certificate-kind": SupplierCertificate.Kind.ETHICAL_AUDIT,
        "certificate-title": "SMETA audit, Leeds site",
        "certificate-issued_on": "2026-01-10",
        "certificate-expires_on": "2027-01-10",
        "certificate-file": SimpleUploadedFile("audit.pdf", PDF, content_type="application/pdf"),
        "upload": "1",
    }
    data.update(overrides)
    return data


def test_sending_the_code_to_a_prospective_supplier_emails_a_working_portal_link(client, procurement, login, code):
    supplier = SupplierFactory(status=Supplier.Status.PROSPECTIVE, contact_name="Kim Contact")
    login(procurement)
    response = client.post(
        reverse("suppliers:conduct_send", args=[supplier.pk]),
        {"contact_name": "Kim Contact", "contact_email": "kim@prospect.example"},
    )
    assert response.status_code == 302
    message = OutboxMessage.objects.get(kind=OutboxMessage.Kind.CODE_OF_CONDUCT, to="kim@prospect.example")
    assert "No worker pays a recruitment fee." in message.body_text
    token = re.search(r"/suppliers/portal/([^/\s]+)/", message.body_text).group(1)
    client.logout()
    page = _open(client, token)
    assert page.status_code == 200
    assert "Supplier portal: " + supplier.name in page.content.decode()
    assert supplier.events.filter(kind="conduct", message__contains="sent to Kim Contact").exists()


def test_the_code_cannot_be_sent_to_a_terminated_supplier(client, procurement, login, code):
    supplier = SupplierFactory(status=Supplier.Status.TERMINATED)
    login(procurement)
    response = client.post(
        reverse("suppliers:conduct_send", args=[supplier.pk]), {"contact_name": "Kim", "contact_email": "k@x.example"}
    )
    assert response.status_code == 200
    assert "terminated" in response.content.decode()
    assert not SupplierPortalLink.objects.exists()
    assert not OutboxMessage.objects.filter(kind=OutboxMessage.Kind.CODE_OF_CONDUCT).exists()


def test_the_token_is_stored_only_as_its_hash(procurement, code):
    link, token = _sent(SupplierFactory(), procurement, code)
    link.refresh_from_db()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = " ".join(str(v) for v in SupplierPortalLink.objects.filter(pk=link.pk).values().get().values())
    assert token not in stored


def test_an_expired_link_answers_404_and_ends_an_open_session(client, procurement, code, settings):
    link, token = _sent(SupplierFactory(), procurement, code)
    assert _open(client, token).status_code == 200
    later = timezone.now() + datetime.timedelta(days=settings.SUPPLIER_PORTAL_LINK_DAYS, minutes=1)
    with time_machine.travel(later):
        assert client.get(reverse("suppliers:portal")).status_code == 404
        assert _open(client, token).status_code == 404


def test_a_link_is_valid_for_the_configured_days(procurement, code, settings):
    settings.SUPPLIER_PORTAL_LINK_DAYS = 7
    link, _token = _sent(SupplierFactory(), procurement, code)
    assert (link.expires_at - link.sent_at).days == 7


def test_a_terminated_supplier_link_answers_404(client, procurement, code):
    supplier = SupplierFactory(status=Supplier.Status.ACTIVE)
    _link, token = _sent(supplier, procurement, code)
    assert _open(client, token).status_code == 200
    register_services.supplier_decision_record(
        supplier=supplier, actor=procurement, decision="terminate", reason="Forced labour found at audit."
    )
    assert client.get(reverse("suppliers:portal")).status_code == 404
    assert _open(client, token).status_code == 404


def test_a_revoked_or_replaced_link_answers_404(client, procurement, login, code):
    supplier = SupplierFactory()
    first, first_token = _sent(supplier, procurement, code)
    second, second_token = _sent(supplier, procurement, code)
    assert _open(client, first_token).status_code == 404  # a new link for the contact revokes the old one
    assert _open(client, second_token).status_code == 200
    login(procurement)
    assert client.post(reverse("suppliers:portal_link_revoke", args=[second.pk])).status_code == 302
    client.logout()
    assert _open(client, second_token).status_code == 404
    assert supplier.events.filter(kind="portal", message__contains="revoked").exists()


def test_opening_the_portal_is_logged_and_rate_limited(client, procurement, code, settings):
    settings.SUPPLIER_PORTAL_OPENS_PER_HOUR = 2
    supplier = SupplierFactory()
    _link, token = _sent(supplier, procurement, code)
    assert _open(client, token, REMOTE_ADDR="198.51.100.7").status_code == 200
    assert supplier.events.filter(kind="portal", message__contains="opened by").count() == 1
    assert _open(client, "not-a-token", REMOTE_ADDR="198.51.100.7").status_code == 404
    assert _open(client, token, REMOTE_ADDR="198.51.100.7").status_code == 429
    assert _open(client, token, REMOTE_ADDR="198.51.100.8").status_code == 200


def test_the_contact_accepts_the_code_with_name_role_time_and_address(client, procurement, login, code, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    supplier = SupplierFactory(status=Supplier.Status.PROSPECTIVE)
    _link, token = _sent(supplier, procurement, code)
    _open(client, token)
    page = client.get(reverse("suppliers:portal")).content.decode()
    assert "No worker pays a recruitment fee." in page and "version 2026.1" in page
    # Not ticked: nothing stored, and what was typed stays.
    response = client.post(
        reverse("suppliers:portal"),
        {"accept-signed_by_name": "Kim Contact", "accept-signed_by_role": "Operations director", "accept": "1"},
    )
    assert response.status_code == 200 and 'value="Operations director"' in response.content.decode()
    assert not CodeOfConductAcceptance.objects.exists()
    before = timezone.now()
    response = client.post(
        reverse("suppliers:portal"),
        {
            "accept-signed_by_name": "Kim Contact",
            "accept-signed_by_role": "Operations director",
            "accept-confirm": "on",
            "accept": "1",
        },
        # Behind one proxy of ours: the address it saw the client at, not the proxy's own.
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert response.status_code == 302
    acceptance = CodeOfConductAcceptance.objects.get(supplier=supplier)
    assert acceptance.code == code
    assert (acceptance.signed_by_name, acceptance.signed_by_role) == ("Kim Contact", "Operations director")
    assert acceptance.source == CodeOfConductAcceptance.Source.PORTAL
    assert acceptance.ip_address == "203.0.113.9"
    assert acceptance.accepted_at >= before and acceptance.accepted_on == timezone.localdate()
    assert "has accepted version 2026.1" in client.get(reverse("suppliers:portal")).content.decode()
    client.logout()
    login(procurement)
    detail = client.get(supplier.get_absolute_url()).content.decode()
    assert "signed by Kim Contact (Operations director), via the supplier portal from 203.0.113.9" in detail


def test_the_contact_uploads_a_certificate_that_staff_see_and_download(client, procurement, login, code):
    supplier = SupplierFactory()
    _link, token = _sent(supplier, procurement, code)
    _open(client, token)
    assert client.post(reverse("suppliers:portal"), _certificate_data()).status_code == 302
    certificate = SupplierCertificate.objects.get(supplier=supplier)
    assert certificate.expires_on == datetime.date(2027, 1, 10)
    assert certificate.document.content_type == "application/pdf"
    assert "SMETA audit, Leeds site" in client.get(reverse("suppliers:portal")).content.decode()
    client.logout()
    login(procurement)
    detail = client.get(supplier.get_absolute_url()).content.decode()
    assert "SMETA audit, Leeds site" in detail and "expires 10 Jan 2027" in detail
    download = client.get(reverse("suppliers:document", args=[certificate.document_id]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_an_upload_that_is_a_web_page_named_pdf_is_refused(client, procurement, code):
    supplier = SupplierFactory()
    _link, token = _sent(supplier, procurement, code)
    _open(client, token)
    disguised = SimpleUploadedFile(
        "certificate.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    response = client.post(reverse("suppliers:portal"), _certificate_data(**{"certificate-file": disguised}))
    assert response.status_code == 200
    page = response.content.decode()
    # Refused by the shared content check, and said against the file field (the error summary links to it).
    assert re.search(r'href="#id_certificate-file">File</a>: This type of file is not accepted', page)
    assert 'value="SMETA audit, Leeds site"' in page
    assert not SupplierCertificate.objects.exists() and not supplier.documents.exists()


def test_staff_without_supplier_access_get_404_on_a_certificate_download(client, procurement, login, code, make_user):
    supplier = SupplierFactory()
    link, _token = _sent(supplier, procurement, code)
    certificate = portal_services.portal_certificate_upload(
        link=link,
        kind=SupplierCertificate.Kind.LSAS,
        title="LSAS level 2",
        uploaded=SimpleUploadedFile("lsas.pdf", PDF),
        expires_on=datetime.date(2027, 3, 1),
    )
    url = reverse("suppliers:document", args=[certificate.document_id])
    for role in (roles.STAFF, roles.HR, roles.SAFEGUARDING_TEAM):
        login(make_user(role))
        assert client.get(url).status_code == 404, role
        assert client.get(f"/api/v1/suppliers/certificates/{certificate.pk}/").status_code == 404, role
    login(procurement)
    assert client.get(url).status_code == 200


def test_the_expiry_reminder_is_sent_once_and_the_expiry_flagged_once(procurement, code):
    supplier = SupplierFactory()
    link, _token = _sent(supplier, procurement, code)
    today = timezone.localdate()
    certificate = portal_services.portal_certificate_upload(
        link=link,
        kind=SupplierCertificate.Kind.ETHICAL_AUDIT,
        title="SMETA audit",
        uploaded=SimpleUploadedFile("audit.pdf", PDF),
        expires_on=today + datetime.timedelta(days=40),
    )
    assert portal_services.certificate_expiry_run(today=today) == {"reminded": 0, "flagged": 0}
    soon = today + datetime.timedelta(days=12)
    assert portal_services.certificate_expiry_run(today=soon) == {"reminded": 1, "flagged": 0}
    assert portal_services.certificate_expiry_run(today=soon) == {"reminded": 0, "flagged": 0}
    assert portal_services.certificate_expiry_run(today=soon + datetime.timedelta(days=1))["reminded"] == 0
    owner_told = Notification.objects.filter(recipient=supplier.contract_owner, subject__contains="expires on")
    assert owner_told.count() == 1
    contact_told = OutboxMessage.objects.filter(to=link.contact_email, subject__contains="expires on")
    assert contact_told.count() == 1
    after = today + datetime.timedelta(days=41)
    assert portal_services.certificate_expiry_run(today=after) == {"reminded": 0, "flagged": 1}
    assert portal_services.certificate_expiry_run(today=after) == {"reminded": 0, "flagged": 0}
    assert supplier.events.filter(kind="certificate", message__contains="expired on").count() == 1
    assert Notification.objects.filter(recipient=supplier.contract_owner, subject__contains="has expired").count() == 1
    certificate.refresh_from_db()
    assert certificate.expiry_reminder_sent_at and certificate.expired_flagged_at


def test_publishing_a_version_emails_active_suppliers_a_portal_link(procurement):
    active = SupplierFactory(status=Supplier.Status.ACTIVE, contact_email="a@active.example")
    SupplierFactory(status=Supplier.Status.PROSPECTIVE, contact_email="p@prospect.example")
    register_services.code_of_conduct_publish(
        actor=procurement, version="2026.2", title="Code", clauses="No fees.", effective_from=datetime.date(2026, 4, 1)
    )
    rows = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.CODE_OF_CONDUCT)
    assert list(rows.values_list("to", flat=True)) == ["a@active.example"]
    assert "/suppliers/portal/" in rows.get().body_text
    assert SupplierPortalLink.objects.working().filter(supplier=active).count() == 1


def test_the_portal_lists_the_supplier_open_questionnaires(client, procurement, code):
    from suppliers.models import QuestionnaireTemplate
    from suppliers.questionnaire_defaults import MSAT_NAME
    from suppliers.services import questionnaire as questionnaire_services

    supplier = SupplierFactory()
    template = QuestionnaireTemplate.objects.get(name=MSAT_NAME)
    _q, q_token = questionnaire_services.questionnaire_send(
        supplier=supplier, template=template, actor=procurement, contact_name="Kim", contact_email="k@x.example"
    )
    _link, token = _sent(supplier, procurement, code)
    page = _open(client, token).content.decode()
    assert reverse("suppliers:questionnaire_public", args=[q_token]) in page


def test_the_api_lists_certificates_and_acceptances_for_supplier_readers(client, procurement, login, code, make_user):
    supplier = SupplierFactory()
    link, _token = _sent(supplier, procurement, code)
    portal_services.portal_certificate_upload(
        link=link, kind="lsas", title="LSAS level 2", uploaded=SimpleUploadedFile("l.pdf", PDF)
    )
    portal_services.portal_conduct_accept(
        link=link, code=code, signed_by_name="Kim", signed_by_role="Director", ip_address="203.0.113.9"
    )
    login(make_user(roles.BOARD_MEMBER))
    certificates = client.get("/api/v1/suppliers/certificates/", {"supplier": supplier.pk}).json()["results"]
    assert [c["title"] for c in certificates] == ["LSAS level 2"]
    assert certificates[0]["download_url"] == reverse("suppliers:document", args=[link.certificates.get().document_id])
    acceptances = client.get("/api/v1/suppliers/conduct-acceptances/", {"supplier": supplier.pk}).json()["results"]
    assert acceptances[0]["source"] == "portal" and acceptances[0]["ip_address"] == "203.0.113.9"
    login(make_user(roles.STAFF))
    assert client.get("/api/v1/suppliers/certificates/").status_code == 404
    assert client.get("/api/v1/suppliers/conduct-acceptances/").status_code == 404


def _certificates(link, rows):
    from suppliers.models import SupplierDocument

    for n in range(rows):
        document = SupplierDocument.objects.create(supplier=link.supplier, original_name=f"c{n}.pdf", size=1)
        SupplierCertificate.objects.create(
            supplier=link.supplier, title=f"Audit {n}", document=document, uploaded_via=link
        )


@pytest.mark.parametrize("rows", [1, 50])
def test_the_portal_page_queries_are_constant(client, procurement, code, django_assert_max_num_queries, rows):
    link, token = _sent(SupplierFactory(), procurement, code)
    _certificates(link, rows)
    _open(client, token)
    # session read; link (supplier joined); current code; acceptances; certificates; open questionnaires;
    # organisation (the base layout); session save with its savepoint and release. Same at 1 and 50.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("suppliers:portal"))
    assert response.content.decode().count("Audit ") >= rows


@pytest.mark.parametrize("rows", [1, 50])
def test_the_certificate_and_acceptance_api_lists_queries_are_constant(
    client, procurement, login, code, django_assert_max_num_queries, rows
):
    link, _token = _sent(SupplierFactory(), procurement, code)
    _certificates(link, rows)
    for n in range(rows):
        CodeOfConductAcceptance.objects.create(
            supplier=SupplierFactory(), code=code, accepted_on=timezone.localdate(), signed_by_name=f"P{n}"
        )
    login(procurement)
    # session, user, roles, count, page (supplier, document and link joined); the same for acceptances.
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/suppliers/certificates/").json()["results"]) == rows
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/suppliers/conduct-acceptances/").json()["results"]) == rows


def test_a_portal_token_is_taken_out_of_app_and_gunicorn_log_lines():
    import importlib.util
    import logging
    from pathlib import Path

    from compliance.request_log import RequestLogFilter

    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/suppliers/portal/SeCrEt1/",), None
    )
    RequestLogFilter().filter(record)
    assert record.getMessage() == "Not Found: /suppliers/portal/[token]/"
    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf_portal", Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
    )
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    assert conf.redact("GET /suppliers/portal/SeCrEt1/ HTTP/1.1") == "GET /suppliers/portal/[token]/ HTTP/1.1"
    # The page the token is swapped for carries none, and is left as it is.
    assert conf.redact("GET /suppliers/portal/ HTTP/1.1") == "GET /suppliers/portal/ HTTP/1.1"
