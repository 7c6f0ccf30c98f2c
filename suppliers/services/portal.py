"""Writes for the supplier portal: links sent to supplier contacts, what contacts do there, certificate expiry.

A supplier contact has no account. Procurement sends them a link (the code of
conduct to accept, certificates to upload, open questionnaires to answer); the
token is emailed through the outbox and only its hash is kept. Every link
expires (settings.SUPPLIER_PORTAL_LINK_DAYS), can be revoked, and a new link
for the same contact revokes the old one.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from compliance import roles
from compliance.models import OutboxMessage, User
from compliance.outbox import outbox_enqueue
from compliance.services import notification_send
from suppliers.models import (
    CodeOfConduct,
    CodeOfConductAcceptance,
    Supplier,
    SupplierCertificate,
    SupplierEvent,
    SupplierPortalLink,
    token_digest,
)
from suppliers.services.register import (
    document_upload,
    register_manager_check,
    supplier_event_record,
    supplier_url_for,
)
from suppliers.uploads import validate_upload


def portal_link_url(token: str) -> str:
    return f"{settings.SITE_URL}{reverse('suppliers:portal_public', args=[token])}"


def _supplier_can_use_portal(supplier: Supplier) -> None:
    if supplier.status == Supplier.Status.TERMINATED:
        raise ValidationError("This supplier is terminated: it cannot be sent a portal link.")


def portal_link_issue(
    *, supplier: Supplier, actor: User | None, contact_name: str = "", contact_email: str = ""
) -> tuple[SupplierPortalLink, str]:
    """Make a new portal link for the supplier's contact (revoking their old one); returns it and its token once."""
    register_manager_check(actor)
    _supplier_can_use_portal(supplier)
    contact_name = (contact_name or supplier.contact_name).strip()
    contact_email = (contact_email or supplier.contact_email).strip()
    if not contact_email:
        raise ValidationError({"contact_email": "Give the email address of the supplier's contact."})
    now = timezone.now()
    with transaction.atomic():
        # One working link per contact: the old one stops as the new one is made.
        SupplierPortalLink.objects.filter(
            supplier=supplier, contact_email__iexact=contact_email, revoked_at__isnull=True
        ).update(revoked_at=now, revoked_by=actor)
        token = secrets.token_urlsafe(32)
        link = SupplierPortalLink(
            supplier=supplier,
            contact_name=contact_name or contact_email,
            contact_email=contact_email,
            token_hash=token_digest(token),
            sent_at=now,
            sent_by=actor,
            expires_at=now + datetime.timedelta(days=settings.SUPPLIER_PORTAL_LINK_DAYS),
        )
        link.full_clean()
        link.save()
        supplier_event_record(
            supplier=supplier,
            kind=SupplierEvent.Kind.PORTAL,
            actor=actor,
            message=f"Portal link sent to {link.contact_name} <{contact_email}>, valid until {link.expires_at:%d %b %Y}.",
        )
    return link, token


def portal_link_revoke(*, link: SupplierPortalLink, actor: User) -> SupplierPortalLink:
    """Stop a portal link working at once."""
    register_manager_check(actor)
    with transaction.atomic():
        link = SupplierPortalLink.objects.select_for_update(of=("self",)).select_related("supplier").get(pk=link.pk)
        if link.revoked_at is not None:
            raise ValidationError("This link is already revoked.")
        link.revoked_at = timezone.now()
        link.revoked_by = actor
        link.save(update_fields=["revoked_at", "revoked_by"])
        supplier_event_record(
            supplier=link.supplier,
            kind=SupplierEvent.Kind.PORTAL,
            actor=actor,
            message=f"Portal link of {link.contact_name} <{link.contact_email}> revoked.",
        )
    return link


def conduct_email_enqueue(*, link: SupplierPortalLink, token: str, code: CodeOfConduct) -> None:
    """Email the contact the code of conduct and their portal link, through the outbox (in the caller's transaction)."""
    outbox_enqueue(
        to=link.contact_email,
        subject=f"Please accept our supplier code of conduct v{code.version}",
        body_text=render_to_string(
            "suppliers/email/conduct_supplier.txt",
            {"code": code, "supplier": link.supplier, "link": link, "url": portal_link_url(token)},
        ),
        kind=OutboxMessage.Kind.CODE_OF_CONDUCT,
    )


def conduct_send(
    *, supplier: Supplier, actor: User | None, contact_name: str = "", contact_email: str = ""
) -> tuple[SupplierPortalLink, str]:
    """Send the current code of conduct to a supplier (any status but terminated) with a fresh portal link."""
    from suppliers.selectors import code_of_conduct_current

    register_manager_check(actor)
    code = code_of_conduct_current()
    if code is None:
        raise ValidationError("No code of conduct has been published yet: publish one first.")
    with transaction.atomic():
        link, token = portal_link_issue(
            supplier=supplier, actor=actor, contact_name=contact_name, contact_email=contact_email
        )
        supplier_event_record(
            supplier=supplier,
            kind=SupplierEvent.Kind.CONDUCT,
            actor=actor,
            message=f"Code of conduct v{code.version} sent to {link.contact_name} to accept in the portal.",
        )
        conduct_email_enqueue(link=link, token=token, code=code)
    return link, token


def portal_opened(*, link: SupplierPortalLink, ip_address: str | None) -> None:
    """Record that the contact opened the portal with their link (the supplier's history shows it)."""
    now = timezone.now()
    SupplierPortalLink.objects.filter(pk=link.pk).update(last_opened_at=now)
    supplier_event_record(
        supplier=link.supplier,
        kind=SupplierEvent.Kind.PORTAL,
        message=f"Portal opened by {link.contact_name} from {ip_address or 'an unknown address'}.",
    )


def _working_link_locked(link: SupplierPortalLink) -> SupplierPortalLink:
    # Re-read under lock: a revoke or termination a moment ago ends what the contact may do.
    locked = SupplierPortalLink.objects.working().select_for_update(of=("self",)).filter(pk=link.pk).first()
    if locked is None:
        raise ValidationError("This link no longer works.")
    return SupplierPortalLink.objects.select_related("supplier").get(pk=locked.pk)


def portal_conduct_accept(
    *, link: SupplierPortalLink, code: CodeOfConduct, signed_by_name: str, signed_by_role: str, ip_address: str | None
) -> CodeOfConductAcceptance:
    """The supplier's contact accepts the current code of conduct in the portal."""
    from suppliers.selectors import code_of_conduct_current

    if not signed_by_name.strip():
        raise ValidationError({"signed_by_name": "Type your full name."})
    if not signed_by_role.strip():
        raise ValidationError({"signed_by_role": "Type your job title."})
    with transaction.atomic():
        link = _working_link_locked(link)
        current = code_of_conduct_current()
        if current is None or current.pk != code.pk:
            raise ValidationError("A newer version of the code has been published: read it and accept that one.")
        if CodeOfConductAcceptance.objects.filter(supplier=link.supplier, code=code).exists():
            raise ValidationError(f"{link.supplier.name} has already accepted v{code.version}.")
        now = timezone.now()
        acceptance = CodeOfConductAcceptance(
            supplier=link.supplier,
            code=code,
            accepted_on=timezone.localdate(now),
            accepted_at=now,
            signed_by_name=signed_by_name.strip(),
            signed_by_role=signed_by_role.strip(),
            source=CodeOfConductAcceptance.Source.PORTAL,
            ip_address=ip_address,
            portal_link=link,
        )
        acceptance.full_clean()
        acceptance.save()
        supplier_event_record(
            supplier=link.supplier,
            kind=SupplierEvent.Kind.CONDUCT,
            message=(
                f"Accepted the code of conduct v{code.version} via the portal, signed by "
                f"{acceptance.signed_by_name} ({acceptance.signed_by_role}) from {ip_address or 'an unknown address'}."
            ),
        )
    return acceptance


def portal_certificate_upload(
    *,
    link: SupplierPortalLink,
    kind: str,
    title: str,
    uploaded,
    issued_on: datetime.date | None = None,
    expires_on: datetime.date | None = None,
) -> SupplierCertificate:
    """The supplier's contact uploads a certificate or evidence file with the dates it is valid between."""
    errors = {}
    try:
        # The shared check: size, and the real type read from the content (a web page named .pdf is refused).
        validate_upload(uploaded)
    except ValidationError as exc:
        errors["file"] = exc.messages
    if issued_on and expires_on and expires_on < issued_on:
        errors["expires_on"] = ["The expiry date is before the issue date."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        link = _working_link_locked(link)
        document = document_upload(
            supplier=link.supplier, uploaded=uploaded, actor=None, description=f"Certificate: {title}"
        )
        certificate = SupplierCertificate(
            supplier=link.supplier,
            kind=kind,
            title=title,
            issued_on=issued_on,
            expires_on=expires_on,
            document=document,
            uploaded_via=link,
        )
        certificate.full_clean()
        certificate.save()
        expiry = f", expires {expires_on:%d %b %Y}" if expires_on else ""
        supplier_event_record(
            supplier=link.supplier,
            kind=SupplierEvent.Kind.CERTIFICATE,
            message=f"{certificate.get_kind_display()} “{title}” uploaded by {link.contact_name} via the portal{expiry}.",
        )
    return certificate


def _owner_or_procurement(supplier: Supplier):
    return [supplier.contract_owner] if supplier.contract_owner_id else User.objects.in_role(roles.PROCUREMENT)


def _link_for_staff(supplier: Supplier) -> str:
    # The contract owner may have no register access: link only where they can go.
    return (
        supplier_url_for(supplier.contract_owner, supplier)
        if supplier.contract_owner_id
        else supplier.get_absolute_url()
    )


def certificate_expiry_run(*, today: datetime.date | None = None) -> dict[str, int]:
    """Remind before a certificate expires and flag it once expired (each once per certificate; safe to rerun)."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=settings.SUPPLIER_CERTIFICATE_REMINDER_DAYS)
    counts = {"reminded": 0, "flagged": 0}
    due = SupplierCertificate.objects.filter(
        expires_on__isnull=False, expires_on__gte=today, expires_on__lte=soon, expiry_reminder_sent_at__isnull=True
    ).exclude(supplier__status=Supplier.Status.TERMINATED)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            # Re-read under lock: another worker running the task at the same time may have just sent it.
            certificate = (
                SupplierCertificate.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("supplier__contract_owner", "uploaded_via")
                .filter(pk=pk, expiry_reminder_sent_at__isnull=True)
                .first()
            )
            if certificate is None:
                continue  # another worker has it, or has done it
            supplier = certificate.supplier
            notification_send(
                recipients=_owner_or_procurement(supplier),
                subject=f"{supplier.name}: {certificate.get_kind_display()} expires on {certificate.expires_on:%d %b %Y}",
                template="suppliers/email/certificate_expiring.txt",
                context={"supplier": supplier, "certificate": certificate},
                url=_link_for_staff(supplier),
                dedupe_key=f"supplier-certificate-expiring:{certificate.pk}",
            )
            # The contact who uploaded it, else the supplier's contact on the register.
            contact = certificate.uploaded_via.contact_email if certificate.uploaded_via_id else supplier.contact_email
            if contact:
                outbox_enqueue(
                    to=contact,
                    subject=f"Your {certificate.get_kind_display()} expires on {certificate.expires_on:%d %B %Y}",
                    body_text=render_to_string(
                        "suppliers/email/certificate_expiring_contact.txt",
                        {"supplier": supplier, "certificate": certificate},
                    ),
                    kind=OutboxMessage.Kind.NOTIFICATION,
                )
            certificate.expiry_reminder_sent_at = timezone.now()
            certificate.save(update_fields=["expiry_reminder_sent_at"])
            counts["reminded"] += 1
    expired = SupplierCertificate.objects.filter(expires_on__lt=today, expired_flagged_at__isnull=True).exclude(
        supplier__status=Supplier.Status.TERMINATED
    )
    for pk in expired.values_list("pk", flat=True):
        with transaction.atomic():
            certificate = (
                SupplierCertificate.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("supplier__contract_owner")
                .filter(pk=pk, expired_flagged_at__isnull=True)
                .first()
            )
            if certificate is None:
                continue
            supplier = certificate.supplier
            supplier_event_record(
                supplier=supplier,
                kind=SupplierEvent.Kind.CERTIFICATE,
                message=f"{certificate.get_kind_display()} “{certificate.title}” expired on {certificate.expires_on:%d %b %Y}.",
            )
            notification_send(
                recipients=_owner_or_procurement(supplier),
                subject=f"{supplier.name}: {certificate.get_kind_display()} has expired",
                template="suppliers/email/certificate_expired.txt",
                context={"supplier": supplier, "certificate": certificate},
                url=_link_for_staff(supplier),
                dedupe_key=f"supplier-certificate-expired:{certificate.pk}",
            )
            certificate.expired_flagged_at = timezone.now()
            certificate.save(update_fields=["expired_flagged_at"])
            counts["flagged"] += 1
    return counts


def portal_links_issue_many(*, suppliers: list[Supplier], actor: User) -> list[tuple[SupplierPortalLink, str]]:
    """portal_link_issue for each supplier's own contact at once (a bulk send), in a fixed number of statements."""
    register_manager_check(actor)
    for supplier in suppliers:
        _supplier_can_use_portal(supplier)
        if not supplier.contact_email.strip():
            raise ValidationError({"contact_email": f"{supplier.name} has no contact email."})
    now = timezone.now()
    with transaction.atomic():
        # One working link per contact: the old ones stop as the new ones are made.
        SupplierPortalLink.objects.filter(
            supplier__in=[s.pk for s in suppliers],
            revoked_at__isnull=True,
            contact_email__iexact=F("supplier__contact_email"),
        ).update(revoked_at=now, revoked_by=actor)
        pending = []
        for supplier in suppliers:
            token = secrets.token_urlsafe(32)
            email = supplier.contact_email.strip()
            link = SupplierPortalLink(
                supplier=supplier,
                contact_name=supplier.contact_name.strip() or email,
                contact_email=email,
                token_hash=token_digest(token),
                sent_at=now,
                sent_by=actor,
                expires_at=now + datetime.timedelta(days=settings.SUPPLIER_PORTAL_LINK_DAYS),
            )
            pending.append((link, token))
        SupplierPortalLink.objects.bulk_create([link for link, _token in pending])
        SupplierEvent.objects.bulk_create(
            [
                SupplierEvent(
                    supplier=link.supplier,
                    kind=SupplierEvent.Kind.PORTAL,
                    actor=actor,
                    message=f"Portal link sent to {link.contact_name} <{link.contact_email}>, "
                    f"valid until {link.expires_at:%d %b %Y}.",
                )
                for link, _token in pending
            ]
        )
    return pending


def conduct_send_many(*, suppliers: list[Supplier], actor: User, code: CodeOfConduct) -> list[SupplierPortalLink]:
    """conduct_send for many suppliers at once (the register's bulk send): each contact gets a portal link to accept."""
    from compliance.outbox import outbox_enqueue_many

    with transaction.atomic():
        pending = portal_links_issue_many(suppliers=suppliers, actor=actor)
        SupplierEvent.objects.bulk_create(
            [
                SupplierEvent(
                    supplier=link.supplier,
                    kind=SupplierEvent.Kind.CONDUCT,
                    actor=actor,
                    message=f"Code of conduct v{code.version} sent to {link.contact_name} to accept in the portal "
                    "(bulk send).",
                )
                for link, _token in pending
            ]
        )
        outbox_enqueue_many(
            messages=[
                {
                    "to": link.contact_email,
                    "subject": f"Please accept our supplier code of conduct v{code.version}",
                    "body_text": render_to_string(
                        "suppliers/email/conduct_supplier.txt",
                        {"code": code, "supplier": link.supplier, "link": link, "url": portal_link_url(token)},
                    ),
                }
                for link, token in pending
            ],
            kind=OutboxMessage.Kind.CODE_OF_CONDUCT,
        )
    return [link for link, _token in pending]
