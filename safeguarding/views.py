"""Reporting pages: the signed-in and anonymous concern forms, receipt-code follow-up, My reports."""

from __future__ import annotations

import hashlib
import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compliance import roles
from compliance.i18n import journey_page
from compliance.services import client_ip
from compliance.web import form_add_service_errors, found_or_404, rate_count, rate_hit
from safeguarding import selectors, services
from safeguarding.forms import (
    AnonymousConcernForm,
    ConcernForm,
    ReceiptCodeForm,
    ReporterAddForm,
    easy_read_form,
    easy_read_steps,
)
from safeguarding.models import Channel
from safeguarding.receipt_session import receipt_session_clear, receipt_session_concern_pk, receipt_session_open


@journey_page
@login_required
def report(request):
    user = request.user
    on_behalf = user.has_role(roles.LINE_MANAGER)
    form = ConcernForm(request.POST or None, request.FILES or None, can_report_on_behalf=on_behalf)
    if request.method == "POST":
        if form.is_valid():
            kwargs = form.service_kwargs()
            on_behalf_of = form.cleaned_data.get("on_behalf_of", "").strip() if on_behalf else ""
            channel = Channel.MANAGER_ON_BEHALF if on_behalf_of else Channel.STAFF_FORM
            try:
                concern = services.concern_submit(
                    reporter=user, channel=channel, on_behalf_of=on_behalf_of, language=get_language(), **kwargs
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                return render(request, "safeguarding/report_done.html", {"concern": concern})
        messages.error(request, _("Your report has not been sent yet: please check the fields marked below."))
    return render(request, "safeguarding/report_form.html", {"form": form, "anonymous": False})


def _anonymous_flood(request) -> bool:
    """Count an anonymous submission from this address; True once the hourly limit is passed."""
    key = f"safeguarding:anonymous-reports:{client_ip(request) or 'unknown'}"
    return rate_hit(key, window_seconds=3600) > settings.ANONYMOUS_REPORTS_PER_HOUR


@journey_page
def report_anonymous(request):
    form = AnonymousConcernForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        # Every attempt counts, sent or refused: a flood of failing submissions is still a flood.
        flooded = _anonymous_flood(request)
        if form.is_valid() and flooded:
            form.add_error(
                None,
                _(
                    "Too many reports have been sent from this connection in the last hour, so this one was not sent. "
                    "If someone is in danger call 999; otherwise call the Modern Slavery Helpline, or try again later."
                ),
            )
        if form.is_valid():
            try:
                concern = services.concern_submit(
                    reporter=None, channel=Channel.ANONYMOUS_FORM, language=get_language(), **form.service_kwargs()
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                # The code exists only in this response: never cached, never stored in clear.
                response = render(
                    request,
                    "safeguarding/report_done.html",
                    {"concern": concern, "receipt_code": concern.receipt_code, "anonymous": True},
                )
                add_never_cache_headers(response)
                return response
        messages.error(request, _("Your report has not been sent yet: please check the fields marked below."))
    return render(request, "safeguarding/report_form.html", {"form": form, "anonymous": True})


def _receipt_code_counters(request, code: str) -> list[tuple[str, int]]:
    """The wrong-code counters a try is checked against: (cache key, limit).

    One per address (what one connection may guess) and one per code prefix
    (what many connections together may guess around one code whose start is
    known, e.g. read over a shoulder). Only the prefix's hash is kept.
    """
    prefix = services.receipt_code_normalise(code)[: settings.RECEIPT_CODE_PREFIX_LENGTH]
    prefix_hash = hashlib.sha256(prefix.encode()).hexdigest()[:32]
    return [
        (f"safeguarding:receipt-code:{client_ip(request) or 'unknown'}", settings.RECEIPT_CODE_MAX_ATTEMPTS),
        (f"safeguarding:receipt-code-prefix:{prefix_hash}", settings.RECEIPT_CODE_PREFIX_MAX_ATTEMPTS),
    ]


def _receipt_code_wrong(counters: list[tuple[str, int]]) -> int:
    """Count a wrong code on every counter; returns the tries left before the first of them locks."""
    # The cache fails open when Redis is down (compliance.cache): nothing is counted then.
    left = [limit - rate_hit(key, window_seconds=settings.RECEIPT_CODE_LOCKOUT_SECONDS) for key, limit in counters]
    return max(0, min(left))


@journey_page
def report_status(request):
    """Enter a receipt code; wrong codes are limited per address and per code prefix."""
    form = ReceiptCodeForm(request.POST or None)
    minutes = max(1, settings.RECEIPT_CODE_LOCKOUT_SECONDS // 60)
    if request.method == "POST" and form.is_valid():
        counters = _receipt_code_counters(request, form.cleaned_data["code"])
        if any(rate_count(key) >= limit for key, limit in counters):
            # Locked: even the right code is not checked until the wait is over.
            form.add_error(
                None,
                _(
                    "Too many wrong codes have been tried from this connection or for this code. Please wait "
                    "%(minutes)s minutes and try again. If you need help now, call the Modern Slavery Helpline."
                )
                % {"minutes": minutes},
            )
        else:
            concern = selectors.concern_for_receipt_code(
                code_hash=services.receipt_code_hash(form.cleaned_data["code"])
            )
            if concern is not None:
                # A right code leaves the counters alone: otherwise one known code,
                # entered between guesses, would reset the limit for ever.
                receipt_session_open(request=request, concern_pk=concern.pk)
                return redirect("safeguarding:report_follow_up")
            left = _receipt_code_wrong(counters)
            form.add_error(
                "code",
                _("We could not find a report with that code. Check it and try again. Tries left: %(left)s.")
                % {"left": left}
                if left
                else _("We could not find a report with that code. Check it and try again."),
            )
    return render(request, "safeguarding/report_status.html", {"form": form})


@journey_page
def report_follow_up(request):
    """The anonymous reporter's view: status, messages both ways, and a form to add more."""
    pk = receipt_session_concern_pk(request=request)
    concern = selectors.concern_for_receipt_code_session(pk=pk) if pk else None
    if concern is None:
        messages.info(request, _("Enter your receipt code to see your report."))
        return redirect("safeguarding:report_status")
    form = ReporterAddForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.concern_reporter_add(
                    concern=concern,
                    reporter=None,
                    body=form.cleaned_data["body"],
                    attachments=form.cleaned_data["attachments"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, _("Thank you: your information has been added to your report."))
                return redirect("safeguarding:report_follow_up")
        messages.error(request, _("Nothing was added yet: please check the message below."))
    response = render(
        request,
        "safeguarding/report_follow_up.html",
        {
            "concern": concern,
            "thread": selectors.reporter_messages(concern=concern),
            "own_files": selectors.reporter_files(concern=concern),
            "form": form,
        },
    )
    add_never_cache_headers(response)
    return response


def _reporter_file_response(attachment) -> FileResponse:
    try:
        # Stored encrypted (compliance/encryption.py): decrypted only after the receipt-session or owner check.
        content = attachment.read_decrypted()
    except FileNotFoundError:
        raise Http404 from None
    # Always a download, never rendered inline: the browser must not interpret it.
    response = FileResponse(
        io.BytesIO(content), as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    add_never_cache_headers(response)
    return response


def report_follow_up_file(request, pk: int):
    """A file the anonymous reporter sent, only through the receipt-code session that opened their report."""
    concern_pk = receipt_session_concern_pk(request=request)
    concern = selectors.concern_for_receipt_code_session(pk=concern_pk) if concern_pk else None
    return _reporter_file_response(selectors.reporter_file_get(concern=concern, pk=pk))


@login_required
def my_report_file(request, reference: str, pk: int):
    """A file a signed-in reporter sent with their own report."""
    concern = selectors.my_report_get(user=request.user, reference=reference)
    return _reporter_file_response(selectors.reporter_file_get(concern=concern, pk=pk))


@journey_page
@require_POST
def report_forget(request):
    receipt_session_clear(session=request.session)
    messages.success(request, _("This device no longer shows your report. Keep your receipt code to look again."))
    return redirect("safeguarding:report_status")


@journey_page
@login_required
def my_reports(request):
    return render(request, "safeguarding/my_reports.html", {"reports": selectors.my_reports(user=request.user)})


@journey_page
@login_required
def my_report_detail(request, reference: str):
    """A signed-in reporter sees the status of their report and the messages, and may add information."""
    concern = found_or_404(selectors.my_report_get(user=request.user, reference=reference))
    form = ReporterAddForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.concern_reporter_add(
                    concern=concern,
                    reporter=request.user,
                    body=form.cleaned_data["body"],
                    attachments=form.cleaned_data["attachments"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, _("Thank you: your information has been added to your report."))
                return redirect("safeguarding:my_report_detail", reference=concern.reference)
        messages.error(request, _("Nothing was added yet: please check the message below."))
    return render(
        request,
        "safeguarding/report_follow_up.html",
        {
            "concern": concern,
            "thread": selectors.reporter_messages(concern=concern),
            "own_files": selectors.reporter_files(concern=concern),
            "form": form,
            "signed_in": True,
        },
    )


@journey_page
def report_easy(request):
    """The easy read report: one plain question per screen, sent through the same service as the full form.

    Earlier answers travel as hidden fields, so nothing is kept on the server until the report is sent.
    """
    anonymous = not request.user.is_authenticated
    steps = easy_read_steps(anonymous=anonymous)
    form_class = AnonymousConcernForm if anonymous else ConcernForm
    if request.method != "POST":
        return _easy_read_render(request, easy_read_form(form_class(), steps), steps, 0)
    form = easy_read_form(form_class(request.POST), steps)
    raw_step = request.POST.get("step", "")
    step = min(int(raw_step), len(steps)) if raw_step.isdigit() else 0
    valid = form.is_valid()
    if "back" in request.POST:
        return _easy_read_render(request, form, steps, max(step - 1, 0))
    if step < len(steps):
        # Only the question just answered may hold it back; later ones have not been asked yet.
        if steps[step].field in form.errors:
            return _easy_read_render(request, form, steps, step, show_errors=True)
        return _easy_read_render(request, form, steps, step + 1)
    if valid and anonymous and _anonymous_flood(request):
        form.add_error(
            None,
            _(
                "Too many reports have been sent from this connection in the last hour, so this one was not sent. "
                "If someone is in danger call 999; otherwise call the Modern Slavery Helpline, or try again later."
            ),
        )
        valid = False
    if valid:
        try:
            concern = services.concern_submit(
                reporter=None if anonymous else request.user,
                channel=Channel.ANONYMOUS_FORM if anonymous else Channel.STAFF_FORM,
                language=get_language(),
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            context = {"concern": concern, "anonymous": anonymous}
            if anonymous:
                context["receipt_code"] = concern.receipt_code
            response = render(request, "safeguarding/report_done.html", context)
            add_never_cache_headers(response)
            return response
    # Back to the first question that needs an answer, or the check page for a form-wide problem.
    first = next((i for i, s in enumerate(steps) if s.field in form.errors), len(steps))
    return _easy_read_render(request, form, steps, first, show_errors=True)


def _easy_read_render(request, form, steps, step: int, *, show_errors: bool = False):
    if form.is_bound and not show_errors:
        # A screen shows no complaint about a question it has not asked yet.
        for name in list(form.errors):
            del form.errors[name]
    current = steps[step] if step < len(steps) else None
    carried = [
        (name, value)
        for name in form.fields
        if current is None or name != current.field
        for value in (request.POST.getlist(name) if form.is_bound else [])
    ]
    answers = []
    if current is None:
        for s in steps:
            values = request.POST.getlist(s.field)
            choices = dict(getattr(form.fields[s.field], "choices", []) or [])
            answers.append((s.question, [str(choices.get(v, v)) for v in values if v.strip()]))
    return render(
        request,
        "safeguarding/report_easy.html",
        {
            "form": form,
            "step": step,
            "number": step + 1,
            "total": len(steps),
            "current": current,
            "carried": carried,
            "answers": answers,
            "anonymous": not request.user.is_authenticated,
        },
    )
