"""Writes for questionnaires: send by tokenised link, save, submit, review, chase."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from compliance import roles
from compliance.models import User
from compliance.outbox import outbox_enqueue
from compliance.services import notification_send
from suppliers.models import (
    Question,
    QuestionnaireAnswer,
    QuestionnaireRequest,
    QuestionnaireSection,
    QuestionnaireTemplate,
    Supplier,
    token_digest,
)
from suppliers.services.register import (
    document_upload,
    register_manager_check,
    risk_assess,
    supplier_event_record,
)
from suppliers.uploads import validate_upload

LINK_VALID_DAYS = 30
# Chase the contact after 7 and 14 days; when the link expires unanswered, flag it to the sender.
CHASE_AFTER_DAYS = (7, 14)


def questionnaire_link(token: str) -> str:
    return f"{settings.SITE_URL}{reverse('suppliers:questionnaire_public', args=[token])}"


def _token_from_seed(seed: str) -> str:
    # The link is an HMAC of a stored random seed under SECRET_KEY: a copy of the
    # database alone (seed + hash) still opens no link, yet a chaser can send the
    # same working link again instead of replacing it with one that may never arrive.
    return salted_hmac("suppliers.questionnaire-link", seed, algorithm="sha256").hexdigest()


def _new_token(request: QuestionnaireRequest) -> str:
    request.token_seed = secrets.token_hex(16)
    token = _token_from_seed(request.token_seed)
    request.token_hash = token_digest(token)
    return token


def questionnaire_current_token(request: QuestionnaireRequest) -> str | None:
    """The request's working link token, or None (no seed, or SECRET_KEY changed since it was made)."""
    if not request.token_seed or not request.token_hash:
        return None
    token = _token_from_seed(request.token_seed)
    return token if token_digest(token) == request.token_hash else None


def _email_contact(
    request: QuestionnaireRequest, token: str | None, *, subject: str, template: str, extra: dict | None = None
) -> None:
    body = render_to_string(
        template,
        {
            "request": request,
            "supplier": request.supplier,
            "link": questionnaire_link(token) if token else "",
            **(extra or {}),
        },
    )
    # Through the outbox, in the caller's transaction: a rolled-back send emails
    # no link that does not exist, and an SMTP outage delays the link, never loses it.
    outbox_enqueue(to=request.contact_email, subject=subject, body_text=body, kind="questionnaire")


def questionnaire_send(
    *,
    supplier: Supplier,
    template: QuestionnaireTemplate,
    actor: User,
    contact_name: str,
    contact_email: str,
    valid_days: int = LINK_VALID_DAYS,
) -> tuple[QuestionnaireRequest, str]:
    """Send a questionnaire to a supplier contact; returns the request and the one-time token."""
    register_manager_check(actor)
    if not template.is_active:
        raise ValidationError({"template": "This questionnaire is no longer in use."})
    with transaction.atomic():
        request = QuestionnaireRequest(
            supplier=supplier,
            template=template,
            contact_name=contact_name,
            contact_email=contact_email,
            expires_at=timezone.now() + datetime.timedelta(days=valid_days),
            sent_by=actor,
        )
        token = _new_token(request)
        request.full_clean()
        request.save()
        supplier_event_record(
            supplier=supplier,
            kind="questionnaire",
            actor=actor,
            message=f"{template.name} sent to {contact_name} <{contact_email}>, link valid until {request.expires_at:%d %b %Y}.",
        )
        _email_contact(
            request,
            token,
            subject=f"{template.name}: please complete for {supplier.name}",
            template="suppliers/email/questionnaire_invite.txt",
        )
    return request, token


def questionnaire_by_token(token: str) -> QuestionnaireRequest | None:
    """The open request a link points at, or None: used, expired, cancelled or unknown all look the same."""
    if not token or len(token) > 100:
        return None
    request = (
        QuestionnaireRequest.objects.select_related("supplier", "template")
        .filter(token_hash=token_digest(token))
        .first()
    )
    if request is None or not request.is_open:
        return None
    return request


def _store_answers(request: QuestionnaireRequest, answers: dict[int, str], files: dict) -> None:
    questions = {q.pk: q for q in Question.objects.filter(section__template=request.template)}
    existing = {a.question_id: a for a in request.answers.all()}
    for qid, question in questions.items():
        value = answers.get(qid)
        uploaded = files.get(qid)
        if value is None and uploaded is None:
            continue
        answer = existing.get(qid) or QuestionnaireAnswer(request=request, question=question)
        if value is not None:
            answer.value = value
        if uploaded is not None:
            answer.document = document_upload(
                supplier=request.supplier,
                uploaded=uploaded,
                actor=None,
                description=f"Questionnaire evidence: {question.text[:150]}",
            )
            answer.value = answer.value or uploaded.name
        answer.save()


def questionnaire_missing_answers(request: QuestionnaireRequest) -> list[Question]:
    answered = {a.question_id: a for a in request.answers.all()}
    missing = []
    for question in Question.objects.filter(section__template=request.template, required=True).order_by(
        "section__order", "order", "pk"
    ):
        answer = answered.get(question.pk)
        if answer is None or not (answer.value.strip() or answer.document_id):
            missing.append(question)
    return missing


def questionnaire_save(
    *, request: QuestionnaireRequest, answers: dict[int, str], files: dict | None = None, submit: bool = False
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
        request = (
            QuestionnaireRequest.objects.select_for_update(of=("self",))
            .select_related("supplier", "template")
            .get(pk=request.pk)
        )
        if not request.is_open:
            raise ValidationError("This link has expired or has already been used.")
        _store_answers(request, answers, files or {})
        if request.status == QuestionnaireRequest.Status.SENT:
            request.status = QuestionnaireRequest.Status.IN_PROGRESS
        if submit:
            missing = questionnaire_missing_answers(request)
        if submit and not missing:
            request.status = QuestionnaireRequest.Status.SUBMITTED
            request.submitted_at = timezone.now()
            # Single use: the link stops working the moment the answers are in.
            request.token_hash = None
            supplier_event_record(
                supplier=request.supplier,
                kind="questionnaire",
                message=f"{request.template.name} submitted by {request.contact_name}.",
            )
            notification_send(
                recipients=[request.sent_by] if request.sent_by_id else User.objects.in_role(roles.PROCUREMENT),
                subject=f"Questionnaire to review: {request.supplier.name}",
                url=f"/suppliers/questionnaires/{request.pk}/",
                dedupe_key=f"questionnaire-submitted:{request.pk}:{request.submitted_at:%Y%m%d%H%M%S}",
            )
        request.save()
    if missing:
        # The answers given are saved (the contact can come back); say what is left before submitting.
        raise ValidationError({f"q_{q.pk}": "Answer this question before you submit." for q in missing})
    return request


def questionnaire_review(
    *, request: QuestionnaireRequest, actor: User, accept: bool, comments: str = ""
) -> tuple[QuestionnaireRequest, str | None]:
    """Accept submitted answers (they feed the score) or return them with comments and a new link."""
    register_manager_check(actor)
    with transaction.atomic():
        request = (
            QuestionnaireRequest.objects.select_for_update(of=("self",))
            .select_related("supplier", "template")
            .get(pk=request.pk)
        )
        if request.status != QuestionnaireRequest.Status.SUBMITTED:
            raise ValidationError("Only a submitted questionnaire can be reviewed.")
        request.reviewed_by = actor
        request.reviewed_at = timezone.now()
        request.review_comments = comments
        token = None
        if accept:
            request.status = QuestionnaireRequest.Status.ACCEPTED
            request.save()
            supplier_event_record(
                supplier=request.supplier,
                kind="questionnaire",
                actor=actor,
                message=f"{request.template.name} accepted.",
            )
            risk_assess(supplier=request.supplier, actor=actor, reason="Questionnaire accepted")
        else:
            if not comments.strip():
                raise ValidationError({"comments": "Say what the supplier needs to change."})
            request.status = QuestionnaireRequest.Status.RETURNED
            # A fresh link for the next round: the old one was used by the submission.
            token = _new_token(request)
            request.expires_at = max(request.expires_at, timezone.now() + datetime.timedelta(days=14))
            request.save()
            supplier_event_record(
                supplier=request.supplier,
                kind="questionnaire",
                actor=actor,
                message=f"{request.template.name} returned to the supplier: {comments[:200]}",
            )
            _email_contact(
                request,
                token,
                subject=f"{request.template.name}: changes needed for {request.supplier.name}",
                template="suppliers/email/questionnaire_returned.txt",
                extra={"comments": comments},
            )
    return request, token


def questionnaire_chasers_run(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Chase unanswered questionnaires at 7 and 14 days; flag expired ones to the sender (idempotent)."""
    now = now or timezone.now()
    counts = {"chased": 0, "expired": 0}
    pending = QuestionnaireRequest.objects.filter(status__in=QuestionnaireRequest.OPEN_STATUSES).values_list(
        "pk", flat=True
    )
    for pk in list(pending):
        with transaction.atomic():
            request = (
                QuestionnaireRequest.objects.select_for_update(of=("self",))
                .select_related("supplier", "template", "sent_by")
                .get(pk=pk)
            )
            if request.status not in QuestionnaireRequest.OPEN_STATUSES:
                continue
            if request.expires_at <= now:
                request.status = QuestionnaireRequest.Status.EXPIRED
                request.token_hash = None
                request.save()
                supplier_event_record(
                    supplier=request.supplier,
                    kind="questionnaire",
                    message=f"{request.template.name} expired without an answer.",
                )
                notification_send(
                    recipients=[request.sent_by] if request.sent_by_id else User.objects.in_role(roles.PROCUREMENT),
                    subject=f"Questionnaire unanswered: {request.supplier.name}",
                    context={
                        "message": f"{request.contact_name} did not complete {request.template.name} before the link expired. Send it again or follow up."
                    },
                    url=f"/suppliers/{request.supplier.pk}/",
                    dedupe_key=f"questionnaire-expired:{request.pk}",
                )
                counts["expired"] += 1
                continue
            age = (now - request.sent_at).days
            due_chases = sum(1 for d in CHASE_AFTER_DAYS if age >= d)
            if request.status == QuestionnaireRequest.Status.RETURNED or due_chases <= request.chase_count:
                continue
            # The same link again: a chaser never invalidates a working link (the new
            # email might not arrive). Without a seed (older requests) the reminder
            # points to the earlier email instead of replacing the link.
            token = questionnaire_current_token(request)
            request.chase_count = due_chases
            request.last_chased_at = now
            request.save()
            supplier_event_record(
                supplier=request.supplier,
                kind="questionnaire",
                message=f"Reminder {request.chase_count} sent to {request.contact_name}.",
            )
            _email_contact(
                request,
                token,
                subject=f"Reminder: {request.template.name} for {request.supplier.name}",
                template="suppliers/email/questionnaire_chase.txt",
            )
            counts["chased"] += 1
    return counts


def questionnaire_cancel(*, request: QuestionnaireRequest, actor: User, reason: str) -> QuestionnaireRequest:
    """Withdraw an open questionnaire (e.g. sent to the wrong person): its link stops working at once."""
    register_manager_check(actor)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the questionnaire is withdrawn."})
    with transaction.atomic():
        request = (
            QuestionnaireRequest.objects.select_for_update(of=("self",))
            .select_related("supplier", "template")
            .get(pk=request.pk)
        )
        if request.status not in QuestionnaireRequest.OPEN_STATUSES:
            raise ValidationError("Only a questionnaire that is still open can be withdrawn.")
        request.status = QuestionnaireRequest.Status.CANCELLED
        request.token_hash = None
        request.review_comments = reason
        request.save()
        supplier_event_record(
            supplier=request.supplier,
            kind="questionnaire",
            actor=actor,
            message=f"{request.template.name} to {request.contact_email} withdrawn: {reason}",
        )
    return request


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


def questionnaire_template_set_active(
    *, actor: User, template: QuestionnaireTemplate, active: bool
) -> QuestionnaireTemplate:
    """Take a template out of use (links already sent keep working) or back into use."""
    register_manager_check(actor)
    template.is_active = active
    template.save(update_fields=["is_active"])
    return template
