"""Writes for questionnaires: send by tokenised link, save, submit, review, chase."""

from __future__ import annotations

import datetime
import secrets

from auditlog.context import set_actor
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from compliance import roles
from compliance.models import OutboxMessage, User
from compliance.outbox import outbox_enqueue
from compliance.services import notification_send
from suppliers import scoring
from suppliers.models import (
    Finding,
    Question,
    QuestionnaireAnswer,
    QuestionnaireRequest,
    QuestionnaireSection,
    QuestionnaireTemplate,
    Supplier,
    SupplierEvent,
    token_digest,
)
from suppliers.services.audit import corrective_action_open
from suppliers.services.register import (
    document_upload,
    register_manager_check,
    risk_assess,
    supplier_event_record,
    supplier_open_check,
)
from suppliers.uploads import validate_upload

LINK_VALID_DAYS = 30
# A gap answer's finding, by the question's severity (Finding has three severities).
FINDING_SEVERITY = {
    Question.Severity.LOW: Finding.Severity.MINOR,
    Question.Severity.MEDIUM: Finding.Severity.MINOR,
    Question.Severity.HIGH: Finding.Severity.MAJOR,
    Question.Severity.CRITICAL: Finding.Severity.CRITICAL,
}
# Days the proposed corrective action gets, by severity: a worker paying fees or without
# their passport needs remedy within weeks, a governance gap can wait a quarter.
ACTION_DUE_DAYS = {
    Question.Severity.LOW: 90,
    Question.Severity.MEDIUM: 60,
    Question.Severity.HIGH: 30,
    Question.Severity.CRITICAL: 14,
}
# Chase the contact after 7 and 14 days; when the link expires unanswered, flag it to the sender.
CHASE_AFTER_DAYS = (7, 14)


def questionnaire_link(token: str) -> str:
    return f"{settings.SITE_URL}{reverse('suppliers:questionnaire_public', args=[token])}"


def _token_from_seed(seed: str) -> str:
    # The link is an HMAC of a stored random seed under SECRET_KEY: a copy of the
    # database alone (seed + hash) still opens no link, yet a chaser can send the
    # same working link again instead of replacing it with one that may never arrive.
    return salted_hmac("suppliers.questionnaire-link", seed, algorithm="sha256").hexdigest()


def _new_token(questionnaire: QuestionnaireRequest) -> str:
    questionnaire.token_seed = secrets.token_hex(16)
    token = _token_from_seed(questionnaire.token_seed)
    questionnaire.token_hash = token_digest(token)
    return token


def questionnaire_current_token(questionnaire: QuestionnaireRequest) -> str | None:
    """The questionnaire's working link token, or None (no seed, or SECRET_KEY changed since it was made)."""
    if not questionnaire.token_seed or not questionnaire.token_hash:
        return None
    token = _token_from_seed(questionnaire.token_seed)
    return token if token_digest(token) == questionnaire.token_hash else None


def _email_contact(
    questionnaire: QuestionnaireRequest, token: str | None, *, subject: str, template: str, extra: dict | None = None
) -> None:
    body = render_to_string(
        template,
        {
            "questionnaire": questionnaire,
            "supplier": questionnaire.supplier,
            "link": questionnaire_link(token) if token else "",
            **(extra or {}),
        },
    )
    # Through the outbox, in the caller's transaction: a rolled-back send emails
    # no link that does not exist, and an SMTP outage delays the link, never loses it.
    outbox_enqueue(
        to=questionnaire.contact_email, subject=subject, body_text=body, kind=OutboxMessage.Kind.QUESTIONNAIRE
    )


def questionnaire_send(
    *,
    supplier: Supplier,
    template: QuestionnaireTemplate,
    actor: User,
    contact_name: str,
    contact_email: str,
    valid_days: int = LINK_VALID_DAYS,
) -> tuple[QuestionnaireRequest, str]:
    """Send a questionnaire to a supplier contact; returns the questionnaire and the one-time token."""
    register_manager_check(actor)
    supplier_open_check(supplier)
    if not template.is_active:
        raise ValidationError({"template": "This questionnaire is no longer in use."})
    with transaction.atomic():
        questionnaire = QuestionnaireRequest(
            supplier=supplier,
            template=template,
            contact_name=contact_name,
            contact_email=contact_email,
            expires_at=timezone.now() + datetime.timedelta(days=valid_days),
            sent_by=actor,
        )
        token = _new_token(questionnaire)
        questionnaire.full_clean()
        questionnaire.save()
        supplier_event_record(
            supplier=supplier,
            kind=SupplierEvent.Kind.QUESTIONNAIRE,
            actor=actor,
            message=f"{template.name} sent to {contact_name} <{contact_email}>, link valid until {questionnaire.expires_at:%d %b %Y}.",
        )
        _email_contact(
            questionnaire,
            token,
            subject=f"{template.name}: please complete for {supplier.name}",
            template="suppliers/email/questionnaire_invite.txt",
        )
    return questionnaire, token


def _store_answers(questionnaire: QuestionnaireRequest, answers: dict[int, str], files: dict) -> None:
    questions = {q.pk: q for q in Question.objects.filter(section__template=questionnaire.template)}
    existing = {a.question_id: a for a in questionnaire.answers.all()}
    for qid, question in questions.items():
        value = answers.get(qid)
        uploaded = files.get(qid)
        if value is None and uploaded is None:
            continue
        answer = existing.get(qid) or QuestionnaireAnswer(request=questionnaire, question=question)
        if value is not None:
            answer.value = value
        if uploaded is not None:
            answer.document = document_upload(
                supplier=questionnaire.supplier,
                uploaded=uploaded,
                actor=None,
                description=f"Questionnaire evidence: {question.text[:150]}",
            )
            answer.value = answer.value or uploaded.name
        answer.save()


def questionnaire_missing_answers(questionnaire: QuestionnaireRequest) -> list[Question]:
    answered = {a.question_id: a for a in questionnaire.answers.all()}
    missing = []
    for question in Question.objects.filter(section__template=questionnaire.template, required=True).order_by(
        "section__order", "order", "pk"
    ):
        answer = answered.get(question.pk)
        if answer is None or not (answer.value.strip() or answer.document_id):
            missing.append(question)
    return missing


def questionnaire_save(
    *, questionnaire: QuestionnaireRequest, answers: dict[int, str], files: dict | None = None, submit: bool = False
) -> QuestionnaireRequest:
    """The supplier contact saves answers (to return later) or submits them for review."""
    # Check the files first so that a bad one is reported against its question and nothing half-saves.
    upload_errors = {}
    for qid, uploaded in (files or {}).items():
        try:
            validate_upload(uploaded)
        except ValidationError as exc:
            upload_errors[f"q_{qid}"] = exc.messages
    if upload_errors:
        raise ValidationError(upload_errors)
    missing: list[Question] = []
    with transaction.atomic():
        questionnaire = (
            QuestionnaireRequest.objects.select_for_update(of=("self",))
            .select_related("supplier", "template")
            .get(pk=questionnaire.pk)
        )
        if not questionnaire.is_open:
            raise ValidationError("This link has expired or has already been used.")
        _store_answers(questionnaire, answers, files or {})
        if questionnaire.status == QuestionnaireRequest.Status.SENT:
            questionnaire.status = QuestionnaireRequest.Status.IN_PROGRESS
        if submit:
            missing = questionnaire_missing_answers(questionnaire)
        if submit and not missing:
            questionnaire.status = QuestionnaireRequest.Status.SUBMITTED
            questionnaire.submitted_at = timezone.now()
            # Single use: the link stops working the moment the answers are in.
            questionnaire.token_hash = None
            supplier_event_record(
                supplier=questionnaire.supplier,
                kind=SupplierEvent.Kind.QUESTIONNAIRE,
                message=f"{questionnaire.template.name} submitted by {questionnaire.contact_name}.",
            )
            notification_send(
                recipients=[questionnaire.sent_by]
                if questionnaire.sent_by_id
                else User.objects.in_role(roles.PROCUREMENT),
                subject=f"Questionnaire to review: {questionnaire.supplier.name}",
                url=questionnaire.get_absolute_url(),
                dedupe_key=f"questionnaire-submitted:{questionnaire.pk}:{questionnaire.submitted_at:%Y%m%d%H%M%S}",
            )
        questionnaire.save()
    if missing:
        # The answers given are saved (the contact can come back); say what is left before submitting.
        raise ValidationError({f"q_{q.pk}": "Answer this question before you submit." for q in missing})
    return questionnaire


def questionnaire_review(
    *, questionnaire: QuestionnaireRequest, actor: User, accept: bool, comments: str = ""
) -> tuple[QuestionnaireRequest, str | None]:
    """Accept submitted answers (they feed the score) or return them with comments and a new link."""
    register_manager_check(actor)
    supplier_open_check(questionnaire.supplier)
    with transaction.atomic():
        questionnaire = (
            QuestionnaireRequest.objects.select_for_update(of=("self",))
            .select_related("supplier", "template")
            .get(pk=questionnaire.pk)
        )
        if questionnaire.status != QuestionnaireRequest.Status.SUBMITTED:
            raise ValidationError("Only a submitted questionnaire can be reviewed.")
        questionnaire.reviewed_by = actor
        questionnaire.reviewed_at = timezone.now()
        questionnaire.review_comments = comments
        token = None
        if accept:
            questionnaire.status = QuestionnaireRequest.Status.ACCEPTED
            questionnaire.save()
            supplier_event_record(
                supplier=questionnaire.supplier,
                kind=SupplierEvent.Kind.QUESTIONNAIRE,
                actor=actor,
                message=f"{questionnaire.template.name} accepted.",
            )
            questionnaire_findings_raise(questionnaire=questionnaire, actor=actor)
            risk_assess(supplier=questionnaire.supplier, actor=actor, reason="Questionnaire accepted")
        else:
            if not comments.strip():
                raise ValidationError({"comments": "Say what the supplier needs to change."})
            questionnaire.status = QuestionnaireRequest.Status.RETURNED
            # A fresh link for the next round: the old one was used by the submission.
            token = _new_token(questionnaire)
            questionnaire.expires_at = max(questionnaire.expires_at, timezone.now() + datetime.timedelta(days=14))
            questionnaire.save()
            supplier_event_record(
                supplier=questionnaire.supplier,
                kind=SupplierEvent.Kind.QUESTIONNAIRE,
                actor=actor,
                message=f"{questionnaire.template.name} returned to the supplier: {comments[:200]}",
            )
            _email_contact(
                questionnaire,
                token,
                subject=f"{questionnaire.template.name}: changes needed for {questionnaire.supplier.name}",
                template="suppliers/email/questionnaire_returned.txt",
                extra={"comments": comments},
            )
    return questionnaire, token


def questionnaire_findings_raise(*, questionnaire: QuestionnaireRequest, actor: User | None) -> list[Finding]:
    """Make each accepted gap answer at or above the threshold a finding with a proposed corrective action (idempotent)."""
    register_manager_check(actor)
    supplier = questionnaire.supplier
    threshold = settings.SUPPLIER_QUESTIONNAIRE_FINDING_FROM
    raised = []
    for answer in scoring.questionnaire_gaps(questionnaire):
        question = answer.question
        if not question.severity_at_least(threshold):
            continue
        # The same answer twice (a repeated accept), or a gap still open from an earlier
        # questionnaire, is the finding already being worked on: not a new one.
        already = Finding.objects.filter(supplier=supplier, question=question).filter(
            Q(questionnaire=questionnaire) | Q(status=Finding.Status.OPEN)
        )
        if already.exists():
            continue
        finding = Finding.objects.create(
            supplier=supplier,
            source=Finding.Source.QUESTIONNAIRE,
            questionnaire=questionnaire,
            question=question,
            severity=FINDING_SEVERITY[question.severity],
            description=f"Questionnaire answer: {question.text} Answered “{answer.value.strip()}” ({question.severity} gap).",
            created_by=actor,
        )
        supplier_event_record(
            supplier=supplier,
            kind=SupplierEvent.Kind.FINDING,
            actor=actor,
            message=f"{finding.get_severity_display()} finding from the questionnaire: {question.text[:200]}",
        )
        owner = supplier.contract_owner or actor
        if owner is not None:
            corrective_action_open(
                finding=finding,
                actor=actor,
                description=(
                    f"Proposed from the questionnaire: put right “{question.text}” "
                    f"(answered “{answer.value.strip()}”) and send the evidence."
                ),
                owner=owner,
                due_date=timezone.localdate() + datetime.timedelta(days=ACTION_DUE_DAYS[question.severity]),
            )
        raised.append(finding)
    return raised


def questionnaire_chasers_run(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Chase unanswered questionnaires at 7 and 14 days; flag expired ones to the sender (idempotent)."""
    now = now or timezone.now()
    counts = {"chased": 0, "expired": 0}
    pending = QuestionnaireRequest.objects.filter(status__in=QuestionnaireRequest.OPEN_STATUSES).values_list(
        "pk", flat=True
    )
    for pk in list(pending):
        with transaction.atomic():
            questionnaire = (
                QuestionnaireRequest.objects.select_for_update(of=("self",))
                .select_related("supplier", "template", "sent_by")
                .get(pk=pk)
            )
            if questionnaire.status not in QuestionnaireRequest.OPEN_STATUSES:
                continue
            if questionnaire.expires_at <= now:
                questionnaire.status = QuestionnaireRequest.Status.EXPIRED
                questionnaire.token_hash = None
                questionnaire.save()
                supplier_event_record(
                    supplier=questionnaire.supplier,
                    kind=SupplierEvent.Kind.QUESTIONNAIRE,
                    message=f"{questionnaire.template.name} expired without an answer.",
                )
                notification_send(
                    recipients=[questionnaire.sent_by]
                    if questionnaire.sent_by_id
                    else User.objects.in_role(roles.PROCUREMENT),
                    subject=f"Questionnaire unanswered: {questionnaire.supplier.name}",
                    context={
                        "message": f"{questionnaire.contact_name} did not complete {questionnaire.template.name} before the link expired. Send it again or follow up."
                    },
                    url=questionnaire.supplier.get_absolute_url(),
                    dedupe_key=f"questionnaire-expired:{questionnaire.pk}",
                )
                counts["expired"] += 1
                continue
            age = (now - questionnaire.sent_at).days
            due_chases = sum(1 for d in CHASE_AFTER_DAYS if age >= d)
            if questionnaire.status == QuestionnaireRequest.Status.RETURNED or due_chases <= questionnaire.chase_count:
                continue
            # The same link again: a chaser never invalidates a working link (the new
            # email might not arrive). Without a seed (older requests) the reminder
            # points to the earlier email instead of replacing the link.
            token = questionnaire_current_token(questionnaire)
            questionnaire.chase_count = due_chases
            questionnaire.last_chased_at = now
            questionnaire.save()
            supplier_event_record(
                supplier=questionnaire.supplier,
                kind=SupplierEvent.Kind.QUESTIONNAIRE,
                message=f"Reminder {questionnaire.chase_count} sent to {questionnaire.contact_name}.",
            )
            _email_contact(
                questionnaire,
                token,
                subject=f"Reminder: {questionnaire.template.name} for {questionnaire.supplier.name}",
                template="suppliers/email/questionnaire_chase.txt",
            )
            counts["chased"] += 1
    return counts


def questionnaire_cancel(*, questionnaire: QuestionnaireRequest, actor: User, reason: str) -> QuestionnaireRequest:
    """Withdraw an open questionnaire (e.g. sent to the wrong person): its link stops working at once."""
    register_manager_check(actor)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the questionnaire is withdrawn."})
    with transaction.atomic():
        questionnaire = (
            QuestionnaireRequest.objects.select_for_update(of=("self",))
            .select_related("supplier", "template")
            .get(pk=questionnaire.pk)
        )
        if questionnaire.status not in QuestionnaireRequest.OPEN_STATUSES:
            raise ValidationError("Only a questionnaire that is still open can be withdrawn.")
        questionnaire.status = QuestionnaireRequest.Status.CANCELLED
        questionnaire.token_hash = None
        questionnaire.review_comments = reason
        questionnaire.save()
        supplier_event_record(
            supplier=questionnaire.supplier,
            kind=SupplierEvent.Kind.QUESTIONNAIRE,
            actor=actor,
            message=f"{questionnaire.template.name} to {questionnaire.contact_email} withdrawn: {reason}",
        )
    return questionnaire


# --- Templates ---------------------------------------------------------------------


def questionnaire_template_create(
    *, actor: User, name: str, purpose: str, introduction: str = ""
) -> QuestionnaireTemplate:
    """Start a new questionnaire template."""
    register_manager_check(actor)
    template = QuestionnaireTemplate(name=name, purpose=purpose, introduction=introduction)
    template.full_clean()
    template.save()
    return template


def questionnaire_section_add(*, actor: User, template: QuestionnaireTemplate, title: str) -> QuestionnaireSection:
    """Add a section at the end of a template."""
    register_manager_check(actor)
    order = (template.sections.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    section = QuestionnaireSection(template=template, title=title, order=order)
    section.full_clean()
    section.save()
    return section


def questionnaire_question_add(
    *,
    actor: User,
    section: QuestionnaireSection,
    text: str,
    kind: str,
    choices: str = "",
    gap_answer: str = "",
    help_text: str = "",
    required: bool = True,
    severity: str = Question.Severity.MEDIUM,
) -> Question:
    """Add a question at the end of a section; a choice question needs options, a gap answer must be one of them."""
    register_manager_check(actor)
    question = Question(
        section=section,
        text=text,
        kind=kind,
        choices=choices,
        gap_answer=gap_answer.strip(),
        help_text=help_text,
        required=required,
        severity=severity,
    )
    errors = {}
    if kind == Question.Kind.CHOICE and len(question.choice_list) < 2:
        errors["choices"] = "Give at least two options, one per line."
    if question.gap_answer and kind in (Question.Kind.YES_NO, Question.Kind.CHOICE):
        if question.gap_answer.lower() not in [c.lower() for c in question.choice_list]:
            errors["gap_answer"] = "The gap answer must be one of the options (for yes/no: yes or no)."
    elif question.gap_answer:
        errors["gap_answer"] = "Only yes/no and choice questions can have a gap answer."
    if errors:
        raise ValidationError(errors)
    question.order = (section.questions.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    question.full_clean()
    question.save()
    return question


def questionnaire_question_severity_set(*, actor: User, question: Question, severity: str) -> Question:
    """Change how much a gap answer to this question weighs; scores follow at each supplier's next rescore."""
    register_manager_check(actor)
    if severity not in Question.Severity.values:
        raise ValidationError({"severity": "Choose a severity."})
    with set_actor(actor):
        # In the change history with who changed it, like the other scoring tables.
        question.severity = severity
        question.save(update_fields=["severity"])
    return question


def questionnaire_template_set_active(
    *, actor: User, template: QuestionnaireTemplate, active: bool
) -> QuestionnaireTemplate:
    """Take a template out of use (links already sent keep working) or back into use."""
    register_manager_check(actor)
    template.is_active = active
    template.save(update_fields=["is_active"])
    return template


def questionnaires_send_many(
    *, suppliers: list[Supplier], template: QuestionnaireTemplate, actor: User, valid_days: int = LINK_VALID_DAYS
) -> list[QuestionnaireRequest]:
    """Send the same questionnaire to each supplier's contact (a bulk action): one link and one email each.

    Written in a fixed number of statements whatever the number of suppliers; the caller has
    already left out suppliers with no contact email.
    """
    from compliance.outbox import outbox_enqueue_many

    register_manager_check(actor)
    if not template.is_active:
        raise ValidationError({"template": "This questionnaire is no longer in use."})
    expires_at = timezone.now() + datetime.timedelta(days=valid_days)
    with transaction.atomic():
        pending = []
        for supplier in suppliers:
            questionnaire = QuestionnaireRequest(
                supplier=supplier,
                template=template,
                contact_name=supplier.contact_name,
                contact_email=supplier.contact_email,
                expires_at=expires_at,
                sent_by=actor,
            )
            pending.append((questionnaire, _new_token(questionnaire)))
        QuestionnaireRequest.objects.bulk_create([q for q, _token in pending])
        SupplierEvent.objects.bulk_create(
            [
                SupplierEvent(
                    supplier=q.supplier,
                    kind=SupplierEvent.Kind.QUESTIONNAIRE,
                    actor=actor,
                    message=f"{template.name} sent to {q.contact_name} <{q.contact_email}> (bulk send), "
                    f"link valid until {expires_at:%d %b %Y}.",
                )
                for q, _token in pending
            ]
        )
        outbox_enqueue_many(
            messages=[
                {
                    "to": q.contact_email,
                    "subject": f"{template.name}: please complete for {q.supplier.name}",
                    "body_text": render_to_string(
                        "suppliers/email/questionnaire_invite.txt",
                        {"questionnaire": q, "supplier": q.supplier, "link": questionnaire_link(token)},
                    ),
                }
                for q, token in pending
            ],
            kind=OutboxMessage.Kind.QUESTIONNAIRE,
        )
    return [q for q, _token in pending]
