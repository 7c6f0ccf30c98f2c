"""Case pages for the Lead and the Safeguarding team: list, detail, actions, attachment download."""

from __future__ import annotations

import functools
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from compliance import exports
from compliance import rules as role_rules
from compliance.export_views import export_response
from compliance.model_choices import offer_rows
from compliance.models import AccessLog
from compliance.services import access_log_record
from compliance.web import form_add_service_errors, paginate, require
from safeguarding import rules as case_rules
from safeguarding import selectors, services
from safeguarding.export_lists import CASE_LIST_EXPORT
from safeguarding.filters import CaseFilter
from safeguarding.forms import (
    AcknowledgeForm,
    AttachmentForm,
    CloseForm,
    CqcNotificationForm,
    FeedbackForm,
    IdentityGrantForm,
    IntakeForm,
    LegalHoldForm,
    MaskForm,
    MessageForm,
    NoteForm,
    ReassessForm,
    ReferralForm,
    ReferralOutcomeForm,
    ReopenForm,
    StepNoteForm,
    SubjectAccessForm,
    TriageForm,
)
from safeguarding.models import Status, SubjectType
from safeguarding.pdf import case_summary_pdf
from safeguarding.subject_access import HEADER as SUBJECT_ACCESS_HEADER
from safeguarding.subject_access import subject_access_rows


@login_required
def index(request):
    require(role_rules.can_work_cases, request.user)
    cases = CaseFilter(request.GET, queryset=selectors.concern_list(user=request.user), request=request)
    # Each order has a matching index (Concern.Meta.indexes), so the keys of a deep page are cheap.
    # Only the columns the rows show: none of the long encrypted texts is read and decrypted 50 times over.
    shown = cases.qs.only(*selectors.CASE_LIST_FIELDS)
    count = selectors.case_list_count(cases.qs, live=CaseFilter.reads_the_clock(request.GET))
    page = paginate(request, shown, keys_first=True, count=count)
    # htmx filter changes swap only the results, so focus and typing stay put.
    template = "safeguarding/_case_table.html" if request.htmx else "safeguarding/index.html"
    context = {"page": page, "filters": cases.form, "is_lead": role_rules.is_modern_slavery_lead.test(request.user)}
    return render(request, template, context)


@login_required
def intake(request):
    """The Lead or the Safeguarding team records a concern received by phone, in person or by letter."""
    require(role_rules.can_work_cases, request.user)
    form = IntakeForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                concern = services.concern_submit(reporter=None, recorded_by=request.user, **form.service_kwargs())
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                if concern.receipt_code:
                    # The code exists only in this response: never cached, never stored in clear.
                    response = render(request, "safeguarding/intake_done.html", {"concern": concern})
                    add_never_cache_headers(response)
                    return response
                messages.success(request, f"Concern {concern.reference} recorded.")
                return redirect(concern.get_absolute_url())
        messages.error(request, "Nothing was recorded: please check the fields marked below.")
    return render(request, "safeguarding/intake.html", {"form": form})


def _forms_for(user, concern, bound: dict | None = None, referrals: list | None = None, timeline=None) -> dict:
    """The action forms this user may use on this case in its current state.

    ``referrals`` and ``timeline`` are the rows the page already read (its outcome and mask forms offer them).
    """
    bound = bound or {}
    can_work = case_rules.can_work_case.test(user, concern)
    is_lead = case_rules.can_triage_case.test(user, concern)
    status = concern.status
    # The case workers' queryset built once for the triage or reassess form and the identity form.
    people = functools.cache(selectors.case_workers)
    forms = {}
    if is_lead and status == Status.NEW:
        forms["triage"] = bound.get("triage") or TriageForm(
            prefix="triage",
            initial={"assignee": concern.assignee_id, "linked_supplier": concern.linked_supplier_id},
            user=user,
            people=people(),
        )
    if can_work and status == Status.TRIAGED:
        forms["investigate"] = bound.get("investigate") or StepNoteForm(prefix="investigate")
    if can_work and status in {Status.TRIAGED, Status.INVESTIGATING, Status.REFERRED}:
        forms["referral"] = bound.get("referral") or ReferralForm(prefix="referral")
    if is_lead and status in {Status.TRIAGED, Status.INVESTIGATING, Status.REFERRED}:
        forms["close"] = bound.get("close") or CloseForm(prefix="close")
        forms["reassess"] = bound.get("reassess") or ReassessForm(
            prefix="reassess",
            initial={"risk_level": concern.risk_level, "assignee": concern.assignee_id},
            people=people(),
        )
    if referrals is None:
        referrals = list(selectors.concern_referrals(concern=concern))
    if can_work and referrals:
        if "referral_outcome" in bound:
            forms["referral_outcome"] = bound["referral_outcome"]
        else:
            forms["referral_outcome"] = ReferralOutcomeForm(prefix="referral_outcome")
            forms["referral_outcome"].bind_concern(concern, referrals)
    if can_work and concern.subject_type == SubjectType.SERVICE_USER:
        # Any abuse or allegation about a service user is notifiable, not only a substantiated one (reg. 18).
        forms["cqc"] = bound.get("cqc") or CqcNotificationForm(prefix="cqc")
    if is_lead and status == Status.CLOSED:
        forms["reopen"] = bound.get("reopen") or ReopenForm(prefix="reopen")
    if can_work and concern.acknowledge_due_at and not concern.acknowledged_at:
        forms["acknowledge"] = bound.get("acknowledge") or AcknowledgeForm(prefix="acknowledge")
    if can_work and concern.feedback_due_at and (concern.reporter_id or concern.receipt_code_hash):
        forms["feedback"] = bound.get("feedback") or FeedbackForm(prefix="feedback")
    if can_work:
        forms["note"] = bound.get("note") or NoteForm(prefix="note")
        forms["attachment"] = bound.get("attachment") or AttachmentForm(prefix="attachment")
        if concern.reporter_id or concern.receipt_code_hash:
            forms["message"] = bound.get("message") or MessageForm(prefix="message")
    if is_lead and not concern.purged_at:
        if "mask" in bound:
            forms["mask"] = bound["mask"]
        else:
            forms["mask"] = MaskForm(prefix="mask")
            forms["mask"].bind_concern(concern, timeline)
        forms["legal_hold"] = bound.get("legal_hold") or LegalHoldForm(
            prefix="legal_hold", initial={"hold": "0" if concern.legal_hold else "1"}
        )
    if case_rules.can_grant_identity.test(user, concern) and not concern.is_anonymous:
        forms["grant"] = bound.get("grant") or IdentityGrantForm(prefix="grant", people=people())
    # The triage or reassess form and the identity form offer the same people: read them once.
    offering = [form.fields[name] for form, name in _case_worker_fields(forms)]
    if len(offering) > 1:
        workers = list(people())
        for field in offering:
            offer_rows(field, workers)
    return forms


def _case_worker_fields(forms: dict):
    for key, name in (("triage", "assignee"), ("reassess", "assignee"), ("grant", "user")):
        if key in forms:
            yield forms[key], name


def _render_detail(request, concern, bound=None, status=200, unmasked=False):
    access_log_record(
        user=request.user,
        obj=concern,
        action=AccessLog.Action.VIEW,
        request=request,
        # Seeing what was masked is a read of its own in the log.
        detail="unmasked view" if unmasked else "",
    )
    has = selectors.case_page_lists(concern).get
    referrals = list(selectors.concern_referrals(concern=concern)) if has("referrals") else []
    # Read once: the page lists it and the mask form offers its notes and messages.
    timeline = list(selectors.concern_timeline(concern=concern))
    cqc_notifications = list(selectors.concern_cqc_notifications(concern=concern)) if has("cqc_notifications") else []
    context = {
        "concern": concern,
        "timeline": timeline,
        "cqc_notifications": cqc_notifications,
        "cqc_prompt": concern.cqc_notification_due and not cqc_notifications,
        # The clock a referred case runs on: each referral still waiting, and when it is next chased.
        "chases": [(r, r.next_chase_on()) for r in referrals if r.awaiting_outcome],
        "attachments": selectors.concern_attachments(concern=concern) if has("attachments") else [],
        "referrals": referrals,
        "grants": selectors.identity_grants(user=request.user, concern=concern) if has("identity_grants") else [],
        "readers": selectors.case_readers(user=request.user, concern=concern),
        "show_readers": case_rules.can_see_case_readers.test(request.user, concern),
        "forms": _forms_for(request.user, concern, bound, referrals=referrals, timeline=timeline),
        "retention": selectors.concern_retention(user=request.user, concern=concern),
        "unmasked": unmasked,
        "can_unmask": case_rules.can_close_case.test(request.user, concern),
    }
    return render(request, "safeguarding/case_detail.html", context, status=status)


@login_required
def case_detail(request, reference: str):
    # Scope is the selector's restrict(): a case out of scope (or any case, for other roles) is 404.
    concern = selectors.concern_get(user=request.user, reference=reference)
    # The text as it was before masking: the Lead's view only; anyone else asking gets the masked page.
    unmasked = request.GET.get("unmasked") == "1" and case_rules.can_close_case.test(request.user, concern)
    return _render_detail(request, concern, unmasked=unmasked)


def _do(action: str, form, request, concern):
    """Call the one service for an action with a valid form's data."""
    user, data = request.user, form.cleaned_data
    if action == "triage":
        services.concern_triage(
            concern=concern,
            actor=user,
            risk_level=data["risk_level"],
            assignee=data["assignee"],
            note=data["note"],
            linked_supplier=data["linked_supplier"],
        )
        return "Case triaged."
    if action == "investigate":
        services.concern_investigate(concern=concern, actor=user, note=data["note"])
        return "Investigation started."
    if action == "close":
        services.concern_close(concern=concern, actor=user, outcome=data["outcome"], summary=data["summary"])
        return "Case closed."
    if action == "reopen":
        services.concern_reopen(concern=concern, actor=user, reason=data["reason"])
        return "Case reopened."
    if action == "note":
        services.concern_note_add(concern=concern, actor=user, body=data["body"])
        return "Note added."
    if action == "message":
        services.concern_message_reporter(concern=concern, actor=user, body=data["body"])
        return "Message sent to the reporter."
    if action == "referral":
        services.referral_record(concern=concern, actor=user, **data)
        return "Referral recorded."
    if action == "attachment":
        services.attachment_add(concern=concern, actor=user, upload=data["file"])
        return "File attached."
    if action == "reassess":
        services.concern_reassess(
            concern=concern, actor=user, risk_level=data["risk_level"], assignee=data["assignee"], reason=data["reason"]
        )
        return "Risk and assignment updated."
    if action == "referral_outcome":
        services.referral_outcome_record(actor=user, **data)
        return "Referral outcome recorded."
    if action == "mask":
        services.text_mask(concern=concern, actor=user, target=data["target"], span=data["span"], reason=data["reason"])
        return "Masked. Everyone else now sees [masked] in its place."
    if action == "legal_hold":
        services.concern_legal_hold(concern=concern, actor=user, hold=data["hold"], reason=data["reason"])
        return (
            "Legal hold placed: the case is kept past its retention period." if data["hold"] else "Legal hold lifted."
        )
    if action == "acknowledge":
        services.concern_acknowledge(concern=concern, actor=user)
        return "Receipt acknowledged to the reporter."
    if action == "feedback":
        services.concern_feedback_give(concern=concern, actor=user, body=data["body"])
        return "Feedback sent to the reporter."
    if action == "cqc":
        services.cqc_notification_record(concern=concern, actor=user, **data)
        return "CQC notification recorded."
    if action == "grant":
        services.identity_grant(concern=concern, actor=user, user=data["user"], reason=data["reason"])
        return f"{data['user']} may now see who reported this case."
    raise Http404


FORM_CLASSES = {
    "triage": TriageForm,
    "investigate": StepNoteForm,
    "close": CloseForm,
    "reopen": ReopenForm,
    "note": NoteForm,
    "message": MessageForm,
    "referral": ReferralForm,
    "attachment": AttachmentForm,
    "grant": IdentityGrantForm,
    "reassess": ReassessForm,
    "referral_outcome": ReferralOutcomeForm,
    "legal_hold": LegalHoldForm,
    "acknowledge": AcknowledgeForm,
    "feedback": FeedbackForm,
    "mask": MaskForm,
    "cqc": CqcNotificationForm,
}


@login_required
@require_POST
def case_action(request, reference: str, action: str):
    # Scope is the selector's restrict(): a case out of scope (or any case, for other roles) is 404.
    concern = selectors.concern_get(user=request.user, reference=reference)
    if action not in FORM_CLASSES:
        raise Http404
    # Forms whose choices depend on who asks (the triage form's suppliers) take the user.
    extra = {"user": request.user} if action == "triage" else {}
    form = FORM_CLASSES[action](request.POST, request.FILES, prefix=action, **extra)
    if hasattr(form, "bind_concern"):
        form.bind_concern(concern)
    if form.is_valid():
        try:
            message = _do(action, form, request, concern)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect(concern.get_absolute_url())
    problems = [e for errors in form.errors.values() for e in errors]
    messages.error(request, "Nothing was changed: " + " ".join(problems))
    # Re-read so the page shows the case as it is now, with the user's input kept.
    concern = selectors.concern_get(user=request.user, reference=reference)
    return _render_detail(request, concern, bound={action: form}, status=400)


@login_required
def attachment_download(request, reference: str, pk: int):
    # Scope is the selector's restrict(): a case out of scope (or any case, for other roles) is 404.
    attachment = selectors.attachment_get(user=request.user, reference=reference, pk=pk)
    access_log_record(
        user=request.user,
        obj=attachment.concern,
        action=AccessLog.Action.DOWNLOAD,
        request=request,
        # The id, not the file name: a reporter's file name is case content, and the admin reads this log.
        detail=f"attachment {attachment.pk}",
    )
    try:
        # Stored encrypted (compliance/encryption.py): decrypted here, after the permission check, and nowhere else.
        content = attachment.read_decrypted()
    except FileNotFoundError:
        raise Http404
    # Always a download, never rendered inline: the browser must not interpret it.
    return FileResponse(
        io.BytesIO(content), as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )


@login_required
def case_export(request, fmt: str = "csv"):
    """The filtered case list as CSV or XLSX (safeguarding/export_lists.py); a large XLSX becomes a background job."""
    return export_response(request, name=CASE_LIST_EXPORT, fmt=fmt)


@login_required
def case_summary(request, reference: str):
    """A PDF of the case for a referral (never with the reporter's identity); the export is logged."""
    concern = selectors.concern_get(user=request.user, reference=reference)
    pdf = case_summary_pdf(concern=concern)
    access_log_record(
        user=request.user, obj=concern, action=AccessLog.Action.EXPORT, request=request, detail="Case summary PDF"
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{concern.reference}-summary.pdf"'
    return response


@login_required
def subject_access(request):
    """The Lead exports everything the case records hold about a named person (the download is logged)."""
    require(role_rules.is_modern_slavery_lead, request.user)
    # POST, so the person's name stays out of the address bar, the browser history and server logs.
    form = SubjectAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rows = list(
            subject_access_rows(user=request.user, name=data["name"], person=data["person"], contact=data["contact"])
        )
        cases = sorted({row[0] for row in rows})
        return exports.csv_download(
            request=request,
            filename=f"subject-access-{timezone.localdate():%Y-%m-%d}.csv",
            header=SUBJECT_ACCESS_HEADER,
            rows=rows,
            # The references, not the name: who asked is itself personal data, and the admin reads this log.
            detail=f"Subject access export: {len(cases)} case(s) {', '.join(cases)}"[:255],
        )
    return render(request, "safeguarding/subject_access.html", {"form": form}, status=400 if form.is_bound else 200)
