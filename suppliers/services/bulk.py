"""Bulk actions on the register: send a questionnaire or the code of conduct to many suppliers at once.

Each supplier gets one outbox message per action per day (SupplierBulkSend holds what was sent);
terminated suppliers and those without a contact email are skipped and named in the summary. The
work is a fixed number of statements whatever the number of suppliers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from compliance.models import OutboxMessage, User
from compliance.outbox import outbox_enqueue_many
from suppliers.models import CodeOfConduct, QuestionnaireTemplate, Supplier, SupplierBulkSend, SupplierEvent
from suppliers.services import questionnaire as questionnaire_services
from suppliers.services.register import register_manager_check

Kind = SupplierBulkSend.Kind
# Why a supplier was skipped, in the order the summary lists them.
NO_EMAIL, TERMINATED, ALREADY_SENT = "no contact email", "terminated", "already sent today"
SKIP_REASONS = (NO_EMAIL, TERMINATED, ALREADY_SENT)


@dataclass
class BulkSendResult:
    sent: list[Supplier] = field(default_factory=list)
    # reason -> the suppliers skipped for it
    skipped: dict[str, list[Supplier]] = field(default_factory=dict)

    def skip(self, reason: str, supplier: Supplier) -> None:
        self.skipped.setdefault(reason, []).append(supplier)

    @property
    def summary(self) -> str:
        """E.g. "Sent to 12; skipped 2: no contact email — X, Y"."""
        text = f"Sent to {len(self.sent)}"
        skipped = sum(len(s) for s in self.skipped.values())
        if skipped:
            parts = [
                f"{reason} — {', '.join(s.name for s in self.skipped[reason])}"
                for reason in SKIP_REASONS
                if reason in self.skipped
            ]
            text += f"; skipped {skipped}: " + "; ".join(parts)
        return text + "."


def _code_of_conduct_message(code: CodeOfConduct, supplier: Supplier) -> dict:
    # The one place the bulk action words the code of conduct email; a supplier-portal link
    # (acceptance by the supplier itself) belongs in this body once the portal offers one.
    return {
        "to": supplier.contact_email,
        "subject": f"Please accept our supplier code of conduct v{code.version}",
        "body_text": render_to_string("suppliers/email/conduct_request.txt", {"code": code, "supplier": supplier}),
    }


def suppliers_bulk_send(
    *,
    actor: User,
    suppliers,
    kind: str,
    template: QuestionnaireTemplate | None = None,
    code: CodeOfConduct | None = None,
) -> BulkSendResult:
    """Send `kind` to each of `suppliers` (a queryset the actor may read) once today; say who was skipped and why."""
    register_manager_check(actor)
    if kind == Kind.QUESTIONNAIRE and template is None:
        raise ValidationError({"template": "Choose the questionnaire to send."})
    if kind == Kind.CODE_OF_CONDUCT and code is None:
        raise ValidationError({"kind": "No code of conduct has been published yet."})
    if kind not in Kind.values:
        raise ValidationError({"kind": "Choose what to send."})
    today = timezone.localdate()
    result = BulkSendResult()
    with transaction.atomic():
        # Whole rows in one query, whatever the caller's queryset deferred or annotated.
        rows = list(Supplier.objects.filter(pk__in=suppliers.values("pk")).order_by("name", "pk"))
        already = set(
            SupplierBulkSend.objects.filter(supplier__in=[s.pk for s in rows], kind=kind, sent_on=today).values_list(
                "supplier_id", flat=True
            )
        )
        for supplier in rows:
            if supplier.status == Supplier.Status.TERMINATED:
                result.skip(TERMINATED, supplier)
            elif not supplier.contact_email:
                result.skip(NO_EMAIL, supplier)
            elif supplier.pk in already:
                result.skip(ALREADY_SENT, supplier)
            else:
                result.sent.append(supplier)
        if not result.sent:
            return result
        try:
            # The unique (supplier, kind, day) row is the guard: two presses at once cannot both send.
            with transaction.atomic():
                SupplierBulkSend.objects.bulk_create(
                    [
                        SupplierBulkSend(supplier=s, kind=kind, sent_on=today, sent_by=actor, to=s.contact_email)
                        for s in result.sent
                    ]
                )
        except IntegrityError:
            raise ValidationError(
                "The same send is already under way for some of these suppliers; try again."
            ) from None
        if kind == Kind.QUESTIONNAIRE:
            questionnaire_services.questionnaires_send_many(suppliers=result.sent, template=template, actor=actor)
        else:
            SupplierEvent.objects.bulk_create(
                [
                    SupplierEvent(
                        supplier=s,
                        actor=actor,
                        kind=SupplierEvent.Kind.CONDUCT,
                        message=f"Sent the code of conduct v{code.version} to {s.contact_email} to accept (bulk send).",
                    )
                    for s in result.sent
                ]
            )
            outbox_enqueue_many(
                messages=[_code_of_conduct_message(code, s) for s in result.sent],
                kind=OutboxMessage.Kind.CODE_OF_CONDUCT,
            )
    return result
