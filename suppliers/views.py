"""Register pages: list, detail with history and risk explanation, edits and decisions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from compliance import rules as role_rules
from compliance.models import AccessLog
from compliance.services import access_log_record
from compliance.web import (
    form_add_service_errors,
    found_or_404,
    messages_add_service_errors,
    paginate,
    require,
    require_action,
)
from suppliers import selectors
from suppliers.filters import SupplierFilter
from suppliers.forms import (
    AgencyForm,
    ConductAcceptanceForm,
    DecisionForm,
    EnhancedChecksForm,
    QuestionnaireSendForm,
    ReviewDoneForm,
    SupplierForm,
)
from suppliers.models import RiskBand
from suppliers.services import questionnaire as questionnaire_services
from suppliers.services import register as register_services


@login_required
def index(request):
    require(role_rules.can_view_suppliers, request.user)
    register = SupplierFilter(request.GET or None, queryset=selectors.supplier_list(user=request.user), request=request)
    return render(
        request,
        "suppliers/index.html",
        {
            # The last of 201 pages read 10,000 full rows to keep 50: its keys first, from the far end.
            "page": paginate(request, register.qs, deep_keys_first=True),
            "summary": selectors.register_summary(user=request.user),
            "filter_form": register.form,
            "can_manage": role_rules.can_manage_suppliers.test(request.user),
        },
    )


@login_required
def supplier_create(request):
    # A form only managers use does not exist for anyone else: 404, readers included.
    require(role_rules.can_manage_suppliers, request.user)
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
    supplier = found_or_404(selectors.supplier_get(user=request.user, pk=pk))
    require(role_rules.can_manage_suppliers, request.user)
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
    require(role_rules.can_view_suppliers, request.user)
    supplier = found_or_404(selectors.supplier_get(user=request.user, pk=pk))
    records = selectors.supplier_detail_records(user=request.user, supplier=supplier)
    current_code = selectors.code_of_conduct_current()
    context = {
        **records,
        "supplier": supplier,
        "current_code": current_code,
        "accepted_current": current_code is not None
        and any(a.code_id == current_code.pk for a in records["acceptances"]),
        "blockers": register_services.supplier_activation_blockers(supplier),
        "needs_edd": supplier.risk_band == RiskBand.HIGH,
        "can_manage": role_rules.can_manage_suppliers.test(request.user),
    }
    return render(request, "suppliers/detail.html", context)


@login_required
@require_POST
def activate(request, pk):
    supplier = found_or_404(selectors.supplier_get(user=request.user, pk=pk))
    # No form is read: supplier_activate's own check is the one gate (a reader gets its 403);
    # a copy here could never change the answer, as the mutation check showed.
    try:
        register_services.supplier_activate(supplier=supplier, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, f"Not activated: {message}")
    else:
        messages.success(request, f"{supplier.name} is now active.")
    return redirect("suppliers:detail", pk=supplier.pk)


@login_required
@require_POST
def rescore(request, pk):
    supplier = found_or_404(selectors.supplier_get(user=request.user, pk=pk))
    # A reader sees the page but may not change it.
    require_action(role_rules.can_manage_suppliers, request.user)
    assessment = register_services.risk_assess(supplier=supplier, actor=request.user, reason="Rescored by hand")
    messages.success(request, f"Rescored: {assessment.score} points, {assessment.band} risk.")
    return redirect("suppliers:detail", pk=supplier.pk)


@login_required
def enhanced_checks(request, pk):
    supplier = found_or_404(selectors.supplier_get(user=request.user, pk=pk))
    require(role_rules.can_manage_suppliers, request.user)
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
    supplier = found_or_404(selectors.supplier_get(user=request.user, pk=pk))
    require(role_rules.can_manage_suppliers, request.user)
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
    supplier = found_or_404(selectors.supplier_get(user=request.user, pk=pk))
    require(role_rules.can_manage_suppliers, request.user)
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
    supplier = found_or_404(selectors.supplier_get(user=request.user, pk=pk))
    # A reader sees the page but may not change it.
    require_action(role_rules.can_manage_suppliers, request.user)
    current = selectors.code_of_conduct_current()
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
    supplier = found_or_404(selectors.supplier_get(user=request.user, pk=pk))
    require(role_rules.can_manage_suppliers, request.user)
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
    document = found_or_404(selectors.document_get(user=request.user, pk=pk))
    access_log_record(user=request.user, obj=document, action=AccessLog.Action.DOWNLOAD, request=request)
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=document.original_name)
    response["Content-Type"] = document.content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def agency_list(request):
    """Read only: HR sees the agencies it recruits through and whether their checks are recorded."""
    require(role_rules.can_view_agencies, request.user)
    agencies = selectors.agency_list(user=request.user)
    return render(request, "suppliers/agency_list.html", {"page": paginate(request, agencies)})


@login_required
def review_tasks(request):
    tasks = selectors.review_task_list(user=request.user).open()
    # Someone outside the register with no task here has no such page: 404 like any other supplier page.
    if not role_rules.can_view_suppliers.test(request.user) and not tasks.exists():
        raise Http404
    return render(request, "suppliers/review_tasks.html", {"tasks": tasks})


@login_required
@require_POST
def review_task_done(request, pk):
    task = found_or_404(selectors.review_task_list(user=request.user).filter(pk=pk).first())
    form = ReviewDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write a short note on what you reviewed.")
    else:
        try:
            register_services.review_task_complete(task=task, actor=request.user, notes=form.cleaned_data["notes"])
        except ValidationError as exc:
            messages_add_service_errors(request, exc)
        else:
            messages.success(request, "Review recorded.")
    return redirect("suppliers:review_tasks")
