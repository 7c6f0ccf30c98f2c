"""Register pages: list, detail with history and risk explanation, edits and decisions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from compliance import rules as r
from compliance.models import AccessLog
from compliance.services import access_log_record
from compliance.web import form_add_service_errors, require
from suppliers import selectors
from suppliers.forms import (
    AgencyForm,
    ConductAcceptanceForm,
    DecisionForm,
    EnhancedChecksForm,
    QuestionnaireSendForm,
    SupplierFilterForm,
    SupplierForm,
)
from suppliers.models import Finding, RiskBand
from suppliers.services import register as register_services

PAGE_SIZE = 50


def _require_manager(user):
    # Readers see the page exists (no 404) but may not change anything.
    require(r.can_view_suppliers, user)
    if not r.can_manage_suppliers.test(user):
        raise PermissionDenied


def require_manager_page(user):
    """A form only managers use does not exist for anyone else: 404, readers included (DESIGN: out of scope)."""
    require(r.can_manage_suppliers, user)


def _supplier_or_404(user, pk):
    supplier = selectors.supplier_get(user=user, pk=pk)
    if supplier is None:
        raise Http404
    return supplier


def _errors(exc: ValidationError) -> list[str]:
    return exc.messages


def filters_from(request) -> tuple[SupplierFilterForm, dict]:
    form = SupplierFilterForm(request.GET or None)
    return form, (form.cleaned_data if form.is_valid() else {})


@login_required
def index(request):
    require(r.can_view_suppliers, request.user)
    form, filters = filters_from(request)
    if filters.get("mine"):
        filters = {**filters, "contract_owner": request.user.pk}
    suppliers = selectors.supplier_list(user=request.user, filters=filters)
    page = Paginator(suppliers, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "suppliers/index.html",
        {
            "page": page,
            "summary": selectors.register_summary(user=request.user),
            "filter_form": form,
            "query": query.urlencode(),
            "can_manage": r.can_manage_suppliers.test(request.user),
        },
    )


@login_required
def supplier_create(request):
    require_manager_page(request.user)
    form = SupplierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            supplier = register_services.supplier_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, f"{supplier.name} added as a prospective supplier ({supplier.risk_band} risk).")
            return redirect("suppliers:detail", pk=supplier.pk)
    return render(
        request, "suppliers/form.html", {"form": form, "title": "Add a supplier", "cancel": "suppliers:index"}
    )


@login_required
def supplier_edit(request, pk):
    supplier = _supplier_or_404(request.user, pk)
    require_manager_page(request.user)
    form = SupplierForm(request.POST or None, instance=supplier)
    if request.method == "POST" and form.is_valid():
        try:
            register_services.supplier_update(supplier=supplier, actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "Supplier details saved and risk rescored.")
            return redirect("suppliers:detail", pk=supplier.pk)
    return render(
        request, "suppliers/form.html", {"form": form, "title": f"Edit {supplier.name}", "supplier": supplier}
    )


@login_required
def detail(request, pk):
    require(r.can_view_suppliers, request.user)
    supplier = _supplier_or_404(request.user, pk)
    latest = supplier.risk_assessments.select_related("assessed_by").first()
    audits = supplier.audits.select_related("auditor").prefetch_related(
        Prefetch("findings", queryset=Finding.objects.order_by("-created_at"))
    )
    actions = supplier.corrective_actions.select_related("owner", "finding")
    current_code = register_services.code_of_conduct_current()
    acceptances = list(supplier.conduct_acceptances.select_related("code", "recorded_by"))
    accepted_current = current_code is not None and any(a.code_id == current_code.pk for a in acceptances)
    context = {
        "supplier": supplier,
        "latest": latest,
        "assessments": supplier.risk_assessments.all()[:10],
        "events": selectors.supplier_history(supplier=supplier)[:200],
        "audits": audits,
        "actions": actions,
        "questionnaires": supplier.questionnaires.select_related("template", "sent_by"),
        "acceptances": acceptances,
        "current_code": current_code,
        "accepted_current": accepted_current,
        "enhanced_checks": list(supplier.enhanced_checks.select_related("recorded_by")),
        "review_tasks": supplier.review_tasks.filter(status="open").select_related("assigned_to"),
        "documents": supplier.documents.select_related("uploaded_by"),
        "blockers": register_services.supplier_activation_blockers(supplier),
        "needs_edd": supplier.risk_band == RiskBand.HIGH,
        "can_manage": r.can_manage_suppliers.test(request.user),
    }
    return render(request, "suppliers/detail.html", context)


@login_required
@require_POST
def activate(request, pk):
    supplier = _supplier_or_404(request.user, pk)
    _require_manager(request.user)
    try:
        register_services.supplier_activate(supplier=supplier, actor=request.user)
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, f"Not activated: {message}")
    else:
        messages.success(request, f"{supplier.name} is now active.")
    return redirect("suppliers:detail", pk=supplier.pk)


@login_required
@require_POST
def rescore(request, pk):
    supplier = _supplier_or_404(request.user, pk)
    _require_manager(request.user)
    assessment = register_services.risk_assess(supplier=supplier, actor=request.user, reason="Rescored by hand")
    messages.success(request, f"Rescored: {assessment.score} points, {assessment.band} risk.")
    return redirect("suppliers:detail", pk=supplier.pk)


@login_required
def enhanced_checks(request, pk):
    supplier = _supplier_or_404(request.user, pk)
    require_manager_page(request.user)
    form = EnhancedChecksForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        register_services.supplier_enhanced_checks_record(supplier=supplier, actor=request.user, data=form.cleaned_data)
        messages.success(request, "Enhanced due diligence recorded.")
        return redirect("suppliers:detail", pk=supplier.pk)
    return render(
        request,
        "suppliers/form.html",
        {
            "form": form,
            "supplier": supplier,
            "title": f"Enhanced due diligence: {supplier.name}",
            "intro": "A high-risk supplier cannot become active until these checks are recorded.",
        },
    )


@login_required
def agency(request, pk):
    supplier = _supplier_or_404(request.user, pk)
    require_manager_page(request.user)
    initial = {
        "charges_fees": supplier.agency_charges_worker_fees,
        "retains_ids": supplier.agency_retains_id_documents,
        "evidence": supplier.agency_evidence,
    }
    form = AgencyForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data.get("evidence_file"):
                register_services.document_upload(
                    supplier=supplier,
                    uploaded=form.cleaned_data["evidence_file"],
                    actor=request.user,
                    description="Agency checks evidence",
                )
            supplier = register_services.supplier_agency_flags_record(
                supplier=supplier,
                actor=request.user,
                charges_fees=form.cleaned_data["charges_fees"],
                retains_ids=form.cleaned_data["retains_ids"],
                evidence=form.cleaned_data["evidence"],
            )
        except ValidationError as exc:
            form.add_error("evidence_file", exc.messages)
        else:
            if supplier.is_prohibited_agency:
                messages.warning(request, f"{supplier.name} is a prohibited agency: it cannot be activated.")
            else:
                messages.success(request, "Agency checks recorded.")
            return redirect("suppliers:detail", pk=supplier.pk)
    return render(
        request,
        "suppliers/form.html",
        {
            "form": form,
            "supplier": supplier,
            "multipart": True,
            "title": f"Recruitment agency checks: {supplier.name}",
            "intro": "Policy 4.3: we do not use agencies that charge workers fees or retain their identity documents.",
        },
    )


@login_required
def decision(request, pk):
    supplier = _supplier_or_404(request.user, pk)
    require_manager_page(request.user)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            register_services.supplier_decision_record(
                supplier=supplier,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                new_due_date=form.cleaned_data.get("new_due_date"),
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "Decision recorded.")
            return redirect("suppliers:detail", pk=supplier.pk)
    return render(
        request,
        "suppliers/form.html",
        {
            "form": form,
            "supplier": supplier,
            "title": f"Decision on {supplier.name}",
            "intro": supplier.termination_recommendation,
        },
    )


@login_required
def conduct_accept(request, pk):
    supplier = _supplier_or_404(request.user, pk)
    _require_manager(request.user)
    current = register_services.code_of_conduct_current()
    form = ConductAcceptanceForm(
        request.POST or None, initial={"code": current, "signed_by_name": supplier.contact_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            register_services.code_of_conduct_accept(supplier=supplier, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "Acceptance recorded.")
            return redirect("suppliers:detail", pk=supplier.pk)
    return render(
        request,
        "suppliers/form.html",
        {"form": form, "supplier": supplier, "title": f"Code of conduct acceptance: {supplier.name}"},
    )


@login_required
def questionnaire_send(request, pk):
    from suppliers.services import questionnaire as questionnaire_services

    supplier = _supplier_or_404(request.user, pk)
    require_manager_page(request.user)
    form = QuestionnaireSendForm(
        request.POST or None, initial={"contact_name": supplier.contact_name, "contact_email": supplier.contact_email}
    )
    if request.method == "POST" and form.is_valid():
        try:
            _request, token = questionnaire_services.questionnaire_send(
                supplier=supplier, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Sent to {form.cleaned_data['contact_email']}. The link (shown only now): "
                f"{questionnaire_services.questionnaire_link(token)}",
            )
            return redirect("suppliers:detail", pk=supplier.pk)
    return render(
        request,
        "suppliers/form.html",
        {"form": form, "supplier": supplier, "title": f"Send a questionnaire to {supplier.name}"},
    )


@login_required
def document_download(request, pk):
    document = selectors.document_get(user=request.user, pk=pk)
    if document is None:
        raise Http404
    access_log_record(user=request.user, obj=document, action=AccessLog.Action.DOWNLOAD, request=request)
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=document.original_name)
    response["Content-Type"] = document.content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def review_tasks(request):
    tasks = selectors.review_task_list(user=request.user).filter(status="open")
    if not r.can_view_suppliers.test(request.user) and not tasks.exists():
        raise Http404
    return render(request, "suppliers/review_tasks.html", {"tasks": tasks})


@login_required
@require_POST
def review_task_done(request, pk):
    from suppliers.forms import ReviewDoneForm

    task = selectors.review_task_list(user=request.user).filter(pk=pk).first()
    if task is None:
        raise Http404
    form = ReviewDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write a short note on what you reviewed.")
    else:
        try:
            register_services.review_task_complete(task=task, actor=request.user, notes=form.cleaned_data["notes"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Review recorded.")
    return redirect("suppliers:review_tasks")
