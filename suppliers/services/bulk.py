"""Bulk actions on the register: send a questionnaire or the code of conduct to many suppliers at once.

Each supplier gets one outbox message per action per day (SupplierBulkSend holds what was sent);
terminated suppliers and those without a contact email are skipped and named in the summary. The
work is a fixed number of statements whatever the number of suppliers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from compliance.models import User
from suppliers.models import CodeOfConduct, QuestionnaireTemplate, Supplier, SupplierBulkSend
from suppliers.services import portal as portal_services
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
            # Through the supplier portal: each contact gets their own link to accept the code there.
            portal_services.conduct_send_many(suppliers=result.sent, actor=actor, code=code)
    return result
