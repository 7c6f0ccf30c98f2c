"""Reporting pages: KPI dashboard, statements and their workflow, public statement, Board reports.

Thin: parse the request, call a selector or a service, render. Anyone outside
reporting gets 404; a reporting role without the right for an action gets 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from compliance import rules as compliance_rules
from compliance.export_views import export_response
from compliance.models import AccessLog
from compliance.services import access_log_record, organisation_get
from compliance.web import (
    form_add_service_errors,
    found_or_404,
    messages_add_service_errors,
    paginate,
    require,
    require_action,
)
from compliance.widgets import form_error_messages
from reporting import (
    board_reports,
    dashboard,
    export_lists,
    forms,
    kpi_figures,
    kpis,
    periods,
    registry,
    selectors,
    services,
)
from reporting import rules as reporting_rules
from reporting.diff import statement_diff
from reporting.pdf import render_pdf

PREDICATE = compliance_rules.can_view_reporting


def _statement_or_404(request, pk: int):
    # The selector's restrict() is the gate: outside reporting it finds nothing, so 404.
    return found_or_404(selectors.statement_detail(user=request.user, pk=pk))


# --- Dashboard ---------------------------------------------------------------------------


@login_required
def index(request):
    require(PREDICATE, request.user)
    form = forms.PeriodForm(request.GET or None)
    context = dashboard.build(user=request.user, form=form, request=request)
    return render(request, "reporting/index.html", {"form": form, **context})


@login_required
def kpi_export(request, fmt: str = "csv"):
    """The dashboard's figures for the chosen period, with the previous period, as CSV or XLSX."""
    return export_response(request, name=export_lists.KPI_EXPORT, fmt=fmt)


# --- Statements --------------------------------------------------------------------------


@login_required
def statement_list(request):
    require(PREDICATE, request.user)
    # The financial year under way, not the calendar year (whose statement may already be published).
    year = periods.financial_year_containing(organisation_get(), timezone.localdate())
    start_form = forms.StatementStartForm(initial={"financial_year": year})
    return _statement_list_page(request, start_form)


def _statement_list_page(request, start_form, *, status: int = 200):
    page = paginate(request, selectors.statement_list(user=request.user))
    return render(
        request,
        "reporting/statement_list.html",
        {"statements": page, "page": page, "start_form": start_form},
        status=status,
    )


@login_required
@require_POST
def statement_start(request):
    require(PREDICATE, request.user)
    require_action(reporting_rules.can_draft_statement, request.user)
    form = forms.StatementStartForm(request.POST)
    if form.is_valid():
        year, mode = form.cleaned_data["financial_year"], form.cleaned_data["mode"]
        try:
            if mode == forms.StatementStartForm.Mode.CARRY:
                statement = services.statement_carry_forward(actor=request.user, financial_year=year)
            else:
                statement = services.statement_create(actor=request.user, financial_year=year)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, "Statement started as a draft.")
            return redirect("reporting:statement_detail", pk=statement.pk)
    return _statement_list_page(request, form, status=400)


@login_required
def statement_detail(request, pk: int):
    # The selector's restrict() is the gate, as for _statement_or_404, reading only what the page shows.
    statement = found_or_404(selectors.statement_for_page(user=request.user, pk=pk))
    user = request.user
    organisation = organisation_get(request)  # the header's read too
    deadline = periods.statement_deadline(organisation, statement.financial_year)
    today = timezone.localdate()
    versions = list(selectors.statement_versions(user=user, financial_year=statement.financial_year))
    on_registry = any(v.registry_submitted_on for v in versions)
    context = {
        "statement": statement,
        "organisation": organisation,
        "deadline": deadline,
        "on_registry": on_registry,
        "overdue": not on_registry and today > deadline,
        "early_warnings": services.statement_timing_warnings(
            statement=statement,
            on=today,
            action="approved" if statement.status == statement.Status.DRAFT else "published",
        )
        if statement.status in (statement.Status.DRAFT, statement.Status.SIGNED)
        else [],
        "registry_row": registry.row_dict(statement, organisation=organisation),
        "versions": versions,
        "can_edit": reporting_rules.can_draft_statement.test(user) and not statement.is_frozen,
        "can_new_version": reporting_rules.can_draft_statement.test(user) and statement.is_approved,
        "approve_form": forms.StatementApproveForm(meetings=selectors.approving_meetings(user=user))
        if reporting_rules.can_approve_statement.test(user) and statement.status == statement.Status.DRAFT
        else None,
        "sign_form": forms.StatementSignForm(initial={"signatory_title": user.job_title})
        if reporting_rules.can_sign_statement.test(user) and statement.status == statement.Status.APPROVED
        else None,
        "publish_form": forms.StatementPublishForm()
        if reporting_rules.can_publish_statement.test(user) and statement.status == statement.Status.SIGNED
        else None,
        "registry_form": forms.StatementRegistryForm(
            initial={name: getattr(statement, name) for name in forms.StatementRegistryForm.base_fields}
        )
        if reporting_rules.can_publish_statement.test(user) and statement.status == statement.Status.PUBLISHED
        else None,
        "can_refresh": reporting_rules.can_draft_statement.test(user)
        and not statement.is_frozen
        and statement.carried_figures,
        "actions_form": forms.ActionsFromStatementForm(initial={"owner": user.pk})
        if reporting_rules.can_manage_governance.test(user) and statement.next_step_lines()
        else None,
    }
    return render(request, "reporting/statement_detail.html", context)


@login_required
def statement_edit(request, pk: int):
    # The selector's restrict() is the gate, as for _statement_or_404, without the history the page never shows.
    statement = found_or_404(selectors.statement_for_edit(user=request.user, pk=pk))
    require(reporting_rules.can_draft_statement, request.user)  # a page this role never uses: 404
    if statement.is_frozen:
        messages.error(
            request, "This statement has been approved and its text is frozen. Make a new version to change it."
        )
        return redirect("reporting:statement_detail", pk=statement.pk)
    form = forms.StatementForm(request.POST or None, instance=statement)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.statement_update(statement=statement, actor=request.user, data=form.cleaned_data)
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, "Statement saved.")
                return redirect("reporting:statement_detail", pk=statement.pk)
        messages.error(request, "Nothing was saved: please correct the fields marked below.")
    # The year's live figures beside the form, so the Lead can bring the text up to date.
    period = periods.Period(statement.period_start, statement.period_end, statement.year_label)
    figures = [row for row in kpis.trend(kpi_figures.compute(period), {}) if row["section"] != "Governance"]
    return render(request, "reporting/statement_edit.html", {"statement": statement, "form": form, "figures": figures})


def _transition(request, statement, form, call):
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as error:
            for line in form_error_messages(form, error):
                messages.error(request, line)
        else:
            return redirect("reporting:statement_detail", pk=statement.pk)
    else:
        # Shown on the detail page after the redirect: "Date signed: This field is required.", linked.
        for line in form_error_messages(form):
            messages.error(request, line)
    return redirect("reporting:statement_detail", pk=statement.pk)


@login_required
@require_POST
def statement_approve(request, pk: int):
    statement = _statement_or_404(request, pk)
    require_action(reporting_rules.can_approve_statement, request.user)
    form = forms.StatementApproveForm(request.POST, meetings=selectors.approving_meetings(user=request.user))

    def call(data):
        approved = services.statement_approve(
            statement=statement,
            actor=request.user,
            approved_on=data["approved_on"],
            meeting=data["meeting"],
            minute=data["minute"],
        )
        messages.success(
            request, f"Approval by the {organisation_get().approving_body} recorded. The text is now frozen."
        )
        # A warning, not a block: the Act does not forbid it, but the statement reports the whole year.
        for warning in services.statement_timing_warnings(
            statement=approved, on=approved.approved_on, action="approved"
        ):
            messages.warning(request, warning)

    return _transition(request, statement, form, call)


@login_required
@require_POST
def statement_sign(request, pk: int):
    statement = _statement_or_404(request, pk)
    require_action(reporting_rules.can_sign_statement, request.user)
    form = forms.StatementSignForm(request.POST)

    def call(data):
        services.statement_sign(
            statement=statement,
            actor=request.user,
            signatory_title=data["signatory_title"],
            signed_on=data["signed_on"],
        )
        messages.success(request, "Statement signed.")

    return _transition(request, statement, form, call)


@login_required
@require_POST
def statement_publish(request, pk: int):
    statement = _statement_or_404(request, pk)
    require_action(reporting_rules.can_publish_statement, request.user)
    form = forms.StatementPublishForm(request.POST)

    def call(data):
        published = services.statement_publish(
            statement=statement,
            actor=request.user,
            published_on=data["published_on"],
            url=data["url"],
            homepage_link_checked_on=data["homepage_link_checked_on"],
        )
        messages.success(request, "Statement published. Submit it to the GOV.UK registry and record the date here.")
        for warning in services.statement_timing_warnings(
            statement=published, on=published.published_on, action="published"
        ):
            messages.warning(request, warning)

    return _transition(request, statement, form, call)


@login_required
@require_POST
def statement_registry(request, pk: int):
    statement = _statement_or_404(request, pk)
    require_action(reporting_rules.can_publish_statement, request.user)
    form = forms.StatementRegistryForm(request.POST)

    def call(data):
        services.statement_record_registry(statement=statement, actor=request.user, **data)
        messages.success(request, "Publication record saved.")

    return _transition(request, statement, form, call)


@login_required
@require_POST
def statement_refresh_figures(request, pk: int):
    statement = _statement_or_404(request, pk)
    # No form is read: the service's can_draft_statement check is the one gate (403); a copy here
    # could never change the answer, as the mutation check showed.
    try:
        services.statement_refresh_figures(statement=statement, actor=request.user)
    except ValidationError as error:
        messages_add_service_errors(request, error)
    else:
        messages.success(request, "Figures refreshed from this year's records.")
    return redirect("reporting:statement_detail", pk=statement.pk)


@login_required
@require_POST
def statement_new_version(request, pk: int):
    statement = _statement_or_404(request, pk)
    # No form is read: the service's can_draft_statement check is the one gate (403); a copy here
    # could never change the answer, as the mutation check showed.
    try:
        new = services.statement_new_version(statement=statement, actor=request.user)
    except ValidationError as error:
        messages_add_service_errors(request, error)
        return redirect("reporting:statement_detail", pk=statement.pk)
    messages.success(request, f"Version {new.version} started as a draft.")
    return redirect("reporting:statement_edit", pk=new.pk)


@login_required
@require_POST
def statement_actions(request, pk: int):
    statement = _statement_or_404(request, pk)
    require_action(reporting_rules.can_manage_governance, request.user)
    form = forms.ActionsFromStatementForm(request.POST)

    def call(data):
        created = services.action_items_from_statement(
            statement=statement, actor=request.user, owner=data["owner"], due_on=data["due_on"]
        )
        messages.success(request, f"{len(created)} action(s) added to the action plan.")

    return _transition(request, statement, form, call)


@login_required
def statement_diff_view(request, pk: int):
    statement = _statement_or_404(request, pk)
    against_pk = request.GET.get("against") or statement.previous_version_id
    older = found_or_404(
        selectors.statement_detail(user=request.user, pk=int(against_pk)) if str(against_pk or "").isdigit() else None
    )
    return render(
        request,
        "reporting/statement_diff.html",
        {"statement": statement, "older": older, "sections": statement_diff(older, statement)},
    )


@login_required
def statement_pdf(request, pk: int):
    """Any version as PDF for those inside reporting (drafts are watermarked in the template)."""
    statement = _statement_or_404(request, pk)
    pdf = render_pdf(
        "reporting/pdf/statement.html", {"statement": statement, "organisation": organisation_get(), "internal": True}
    )
    access_log_record(user=request.user, obj=statement, action=AccessLog.Action.DOWNLOAD, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="statement-{statement.financial_year}-v{statement.version}.pdf"'
    )
    return response


@login_required
def registry_export(request, fmt: str = "csv"):
    return export_response(request, name=export_lists.REGISTRY_EXPORT, fmt=fmt)


# --- Public statement (no login) ----------------------------------------------------------


def public_statement_index(request):
    return render(
        request,
        "reporting/public_index.html",
        {"statements": selectors.statement_published_list(), "organisation": organisation_get()},
    )


def public_statement(request, year: int):
    statement = found_or_404(selectors.statement_published(financial_year=year))
    return render(
        request, "reporting/public_statement.html", {"statement": statement, "organisation": organisation_get()}
    )


def public_statement_pdf(request, year: int):
    statement = found_or_404(selectors.statement_published(financial_year=year))
    pdf = render_pdf(
        "reporting/pdf/statement.html", {"statement": statement, "organisation": organisation_get(), "internal": False}
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="modern-slavery-statement-{year}.pdf"'
    return response


# --- Board reports -----------------------------------------------------------------------


@login_required
def board_report_list(request):
    require(PREDICATE, request.user)
    form = forms.BoardReportRequestForm(
        request.POST or None,
        initial={"financial_year": board_reports.default_year()},
    )
    if request.method == "POST":
        require_action(reporting_rules.can_request_board_report, request.user)
        if form.is_valid():
            report = board_reports.board_report_request(
                actor=request.user, financial_year=form.cleaned_data["financial_year"]
            )
            messages.success(request, "Board report requested. This page shows its status.")
            return redirect("reporting:board_report_detail", pk=report.pk)
    page = paginate(request, selectors.board_report_list(user=request.user))
    return render(request, "reporting/board_report_list.html", {"reports": page, "page": page, "form": form})


@login_required
def board_report_detail(request, pk: int):
    # restrict() is the one gate (reporting roles, else 404): a role check here could only repeat it.
    report = found_or_404(selectors.board_report_detail(user=request.user, pk=pk))
    template = "reporting/_board_report_status.html" if request.htmx else "reporting/board_report_detail.html"
    return render(request, template, {"report": report})


@login_required
def board_report_download(request, pk: int):
    # restrict(user, "download") is the one gate. Not ready, or a role that never opens the PDF
    # (the Compliance admin, anyone outside reporting): 404 either way.
    report = found_or_404(selectors.board_report_for_download(user=request.user, pk=pk))
    try:
        handle = report.file.open("rb")
    except FileNotFoundError:
        # The row says ready but the file is gone (storage cleared): ask for a new one, do not 500.
        raise Http404
    access_log_record(user=request.user, obj=report, action=AccessLog.Action.DOWNLOAD, request=request)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"board-report-{report.financial_year}.pdf",
        content_type="application/pdf",
    )
