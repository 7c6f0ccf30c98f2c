"""Real browser: procurement sends the code of conduct, the supplier's contact uses the portal without an
account (accepts the code, uploads a certificate with an expiry date), procurement revokes the link and the
same URL answers 404. The contact's pages run under the app's own CSP (no bypass): no violation is reported."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from suppliers.models import CodeOfConductAcceptance, Supplier, SupplierCertificate
from suppliers.services import portal as portal_services
from suppliers.services import register as register_services
from suppliers.tests.factories import SupplierFactory
from tests.browser import axe_violations, format_violations, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n% SMETA 4-pillar audit report\ntrailer<<>>\n%%EOF\n"


def test_contact_accepts_the_code_and_uploads_a_certificate_then_the_revoked_link_is_404(
    browser, page, live_server, procurement
):
    register_services.code_of_conduct_publish(
        actor=procurement,
        version="2026.1",
        title="Supplier code of conduct",
        clauses="No worker pays a recruitment fee.",
        effective_from=datetime.date(2026, 1, 1),
    )
    supplier = SupplierFactory(
        name="Brightway Cleaning", status=Supplier.Status.PROSPECTIVE, contact_name="Kim Contact"
    )

    # Procurement sends the code to a prospective supplier from its page.
    sign_in_as(page, live_server, procurement)
    page.goto(f"{live_server.url}{supplier.get_absolute_url()}")
    page.get_by_role("link", name="Send the code of conduct").click()
    expect(page.get_by_label("Contact email")).to_have_value(supplier.contact_email)
    page.get_by_role("button", name="Send the code of conduct").click()
    expect(page.get_by_text(f"Code of conduct sent to {supplier.contact_email}")).to_be_visible(timeout=15_000)
    # Delivered from the outbox after the commit (the row's copy of the body is then cleared).
    body = next(m.body for m in mail.outbox if m.to == [supplier.contact_email])
    portal_path = re.search(r"(/suppliers/portal/[^/\s]+/)", body).group(1)

    # The contact: a browser with no account and no session, under the app's real CSP.
    contact_context = browser.new_context(viewport={"width": 1280, "height": 900})
    contact = contact_context.new_page()
    contact.set_default_timeout(30_000)
    csp_reports = []
    contact.on("console", lambda m: csp_reports.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        contact.goto(f"{live_server.url}{portal_path}")
        expect(contact.get_by_role("heading", level=1)).to_have_text("Supplier portal: Brightway Cleaning")
        assert "/suppliers/portal/" in contact.url and portal_path not in contact.url  # the token left the URL
        expect(contact.get_by_text("No worker pays a recruitment fee.")).to_be_visible()

        contact.get_by_label("Your full name").fill("Kim Contact")
        contact.get_by_label("Your job title").fill("Operations director")
        contact.get_by_label("I confirm that I am authorised").check()
        contact.get_by_role("button", name="Accept the code of conduct").click()
        expect(contact.get_by_text("Brightway Cleaning has accepted version 2026.1")).to_be_visible(timeout=15_000)

        contact.get_by_label("Type").select_option(SupplierCertificate.Kind.ETHICAL_AUDIT)
        contact.get_by_label("Title").fill("SMETA audit, Leeds site")
        contact.get_by_label("Issued on").fill("2026-01-10")
        contact.get_by_label("Expires on").fill("2027-01-10")
        contact.get_by_label("File").set_input_files(
            files=[{"name": "audit.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        contact.get_by_role("button", name="Upload").click()
        expect(contact.get_by_role("cell", name="SMETA audit, Leeds site")).to_be_visible(timeout=15_000)
        expect(contact.get_by_role("cell", name="10 Jan 2027")).to_be_visible()

        acceptance = CodeOfConductAcceptance.objects.get(supplier=supplier)
        assert acceptance.source == CodeOfConductAcceptance.Source.PORTAL
        assert acceptance.ip_address == "127.0.0.1" and acceptance.accepted_at is not None
        assert acceptance.accepted_on == timezone.localdate()
        certificate = SupplierCertificate.objects.get(supplier=supplier)
        assert certificate.expires_on == datetime.date(2027, 1, 10)

        # Procurement sees both on the supplier page and revokes the link.
        page.goto(f"{live_server.url}{supplier.get_absolute_url()}")
        expect(page.get_by_text("signed by Kim Contact (Operations director), via the supplier portal")).to_be_visible()
        expect(page.get_by_role("link", name="SMETA audit, Leeds site")).to_be_visible()
        page.get_by_role("button", name="Revoke the link of Kim Contact").click()
        expect(page.get_by_text("revoked: it no longer opens the portal")).to_be_visible(timeout=15_000)

        # The same URL, and the session it had opened, now answer 404.
        assert contact.goto(f"{live_server.url}{portal_path}").status == 404
        assert contact.goto(f"{live_server.url}/suppliers/portal/").status == 404
        assert not csp_reports, csp_reports
    finally:
        contact_context.close()


def test_the_portal_page_passes_axe(browser, live_server, procurement):
    register_services.code_of_conduct_publish(
        actor=procurement, version="1", title="Code", clauses="No fees.", effective_from=datetime.date(2026, 1, 1)
    )
    _link, token = portal_services.portal_link_issue(supplier=SupplierFactory(), actor=procurement)
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(f"{live_server.url}/suppliers/portal/{token}/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Supplier portal")
        violations = axe_violations(page)
        assert not violations, format_violations(violations)
        # The errors of an empty submission are announced and keep the page accessible.
        page.get_by_role("button", name="Upload").click()
        expect(page.get_by_test_id("form-errors").first).to_be_visible(timeout=15_000)
        violations = axe_violations(page)
        assert not violations, format_violations(violations)
    finally:
        context.close()
