"""Governance pages: risk register and reviews, meetings, action plan.

Everyone in reporting reads them; only the Modern Slavery Lead writes (403 for
the Board, Directors and the Compliance admin; 404 for everyone else).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from compliance import rules as compliance_rules
from compliance.web import form_add_service_errors, found_or_404, paginate, require, require_action
from reporting import forms, governance, selectors
from reporting import rules as reporting_rules
from reporting.models import RiskRegisterEntry

PREDICATE = compliance_rules.can_view_reporting


def _writer(request):
    require(PREDICATE, request.user)
    require_action(reporting_rules.can_manage_governance, request.user)


def _save_form(request, form, save, *, success: str, redirect_to):
    if request.method == "POST":
        if form.is_valid():
            try:
                obj = save(form.cleaned_data)
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, success)
                return redirect_to(obj)
        messages.error(request, "Nothing was saved: please correct the fields marked below.")
    return None


# --- Risk register -------------------------------------------------------------------------


@login_required
def risk_list(request):
    require(PREDICATE, request.user)
    area = request.GET.get("area", "")
    entries = paginate(request, selectors.risk_list(user=request.user, area=area))
    reviews = selectors.register_review_list(user=request.user)[:5]
    return render(
        request,
        "reporting/risk_list.html",
        {
            "entries": entries,
            "page": entries,
            "register_reviews": reviews,
            "today": timezone.localdate(),
            "areas": RiskRegisterEntry.Area.choices,
            "area": area,
        },
    )


@login_required
def risk_detail(request, pk: int):
    # The read is restricted to reporting's readers: anyone else gets 404 from it.
    entry = found_or_404(selectors.risk_detail(user=request.user, pk=pk))
    form = forms.RiskReviewForm(initial={"likelihood": entry.likelihood, "impact": entry.impact})
    return render(request, "reporting/risk_detail.html", {"entry": entry, "review_form": form})


@login_required
def risk_edit(request, pk: int | None = None):
    _writer(request)
    entry = found_or_404(selectors.risk_detail(user=request.user, pk=pk)) if pk else None
    form = forms.RiskEntryForm(request.POST or None, instance=entry)
    done = _save_form(
        request,
        form,
        lambda data: governance.risk_entry_save(actor=request.user, data=data, entry=entry),
        success="Risk saved.",
        redirect_to=lambda obj: redirect("reporting:risk_detail", pk=obj.pk),
    )
    return done or render(request, "reporting/form.html", {"form": form, "heading": "Risk" if entry else "New risk"})


@login_required
def risk_review(request, pk: int):
    _writer(request)
    entry = found_or_404(selectors.risk_detail(user=request.user, pk=pk))
    form = forms.RiskReviewForm(request.POST or None)
    done = _save_form(
        request,
        form,
        lambda data: governance.risk_entry_review(actor=request.user, entry=entry, **data),
        success="Review recorded.",
        redirect_to=lambda obj: redirect("reporting:risk_detail", pk=entry.pk),
    )
    return done or render(request, "reporting/risk_detail.html", {"entry": entry, "review_form": form})


@login_required
def register_review(request):
    _writer(request)
    form = forms.RegisterReviewForm(request.POST or None, meetings=selectors.meeting_list(user=request.user))
    done = _save_form(
        request,
        form,
        lambda data: governance.register_review_record(actor=request.user, **data),
        success="Annual review of the risk register recorded.",
        redirect_to=lambda obj: redirect("reporting:risk_list"),
    )
    return done or render(
        request, "reporting/form.html", {"form": form, "heading": "Annual review of the risk register"}
    )


# --- Meetings -------------------------------------------------------------------------------


@login_required
def meeting_list(request):
    require(PREDICATE, request.user)
    page = paginate(request, selectors.meeting_list(user=request.user))
    return render(request, "reporting/meeting_list.html", {"meetings": page, "page": page})


@login_required
def meeting_edit(request, pk: int | None = None):
    _writer(request)
    meeting = found_or_404(selectors.meeting_detail(user=request.user, pk=pk)) if pk else None
    form = forms.MeetingForm(request.POST or None, instance=meeting)
    done = _save_form(
        request,
        form,
        lambda data: governance.meeting_save(actor=request.user, data=data, meeting=meeting),
        success="Meeting saved.",
        redirect_to=lambda obj: redirect("reporting:meeting_list"),
    )
    return done or render(
        request, "reporting/form.html", {"form": form, "heading": "Meeting" if meeting else "Record a meeting"}
    )


# --- Action plan ----------------------------------------------------------------------------


@login_required
def action_list(request):
    require(PREDICATE, request.user)
    year = request.GET.get("year", "")
    items = paginate(
        request, selectors.action_list(user=request.user, financial_year=int(year) if year.isdigit() else None)
    )
    years = selectors.action_plan_years(user=request.user)
    return render(
        request,
        "reporting/action_list.html",
        {"items": items, "page": items, "today": timezone.localdate(), "years": years, "year": year},
    )


@login_required
def action_detail(request, pk: int):
    # The read is restricted to reporting's readers: anyone else gets 404 from it.
    item = found_or_404(selectors.action_detail(user=request.user, pk=pk))
    form = forms.ActionProgressForm(request.POST or None, initial={"status": item.status})
    if request.method == "POST":
        _writer(request)
        done = _save_form(
            request,
            form,
            lambda data: governance.action_item_progress(actor=request.user, item=item, **data),
            success="Progress recorded.",
            redirect_to=lambda obj: redirect("reporting:action_detail", pk=obj.pk),
        )
        if done:
            return done
    return render(request, "reporting/action_detail.html", {"item": item, "form": form})


@login_required
def action_edit(request, pk: int | None = None):
    _writer(request)
    item = found_or_404(selectors.action_detail(user=request.user, pk=pk)) if pk else None
    form = forms.ActionItemForm(
        request.POST or None,
        instance=item,
        # Defaults for a new action only: on an edit they would replace the stored owner and year.
        initial=None if item else {"owner": request.user.pk, "financial_year": timezone.localdate().year},
    )
    done = _save_form(
        request,
        form,
        lambda data: governance.action_item_save(actor=request.user, data=data, item=item),
        success="Action saved.",
        redirect_to=lambda obj: redirect("reporting:action_detail", pk=obj.pk),
    )
    return done or render(request, "reporting/form.html", {"form": form, "heading": "Action" if item else "New action"})
