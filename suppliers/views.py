"""Register pages: list, detail with history and risk explanation, edits and decisions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
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
from suppliers import rules as supplier_rules
from suppliers import selectors
from suppliers.filters import SupplierFilter
from suppliers.forms import (
    AgencyForm,
    BulkSendForm,
    ConductAcceptanceForm,
    DecisionForm,
    EnhancedChecksForm,
    ProcurementForm,
    QuestionnaireSendForm,
    ReviewDoneForm,
    SubSupplierFormSet,
    SupplierForm,
)
from suppliers.models import RiskBand
from suppliers.services import bulk as bulk_services
from suppliers.services import procurement as procurement_services
from suppliers.services import questionnaire as questionnaire_services
from suppliers.services import register as register_services
from suppliers.services import tiers as tier_services


@login_required
def index(request):
    require(role_rules.can_view_suppliers, request.user)
    register = SupplierFilter(
        request.GET or None, queryset=selectors.supplier_register(user=request.user), request=request
    )
    return render(
        request,
        "suppliers/index.html",
        {
            # The last of 201 pages read 10,000 full rows to keep 50: its keys first, from the far end.
            "page": paginate(request, register.qs, deep_keys_first=True, count=selectors.register_count(register.qs)),
            "summary": selectors.register_summary(user=request.user),
            "filter_form": register.form,
            "can_manage": role_rules.can_manage_suppliers.test(request.user),
            "filter_params": _filter_params(request.GET),
        },
    )


# The register's own fields, which a bulk action must not take for filter values.
BULK_FIELDS = {"kind", "template", "scope", "supplier", "csrfmiddlewaretoken", "page"}


def _filter_params(params) -> list[tuple[str, str]]:
    """The register filter as (name, value) pairs, carried through the bulk action's forms as hidden inputs."""
    return [(name, value) for name, values in params.lists() if name not in BULK_FIELDS for value in values if value]


def _bulk_filter_ok(form: BulkSendForm, register: SupplierFilter) -> bool:
    # The register page ignores a filter value it cannot read; a send to "every supplier matching
    # the filter" must not: ignoring it would widen the send to suppliers nobody chose.
    if form.cleaned_data["scope"] == BulkSendForm.FILTER and not register.is_valid():
        form.add_error("scope", "The register filter has a value that is not valid: go back and filter again.")
        return False
    return True


@login_required
def bulk_send(request):
    """Send a questionnaire or the code of conduct to the ticked suppliers, or to every one the filter matches."""
    require(role_rules.can_manage_suppliers, request.user)
    params = request.POST if request.method == "POST" else request.GET
    register = SupplierFilter(params, queryset=selectors.supplier_list(user=request.user), request=request)
    form = BulkSendForm(
        request.POST if request.method == "POST" else None,
        initial={
            "kind": request.GET.get("kind"),
            "supplier": request.GET.getlist("supplier"),
            "scope": BulkSendForm.FILTER if request.GET.get("scope") == BulkSendForm.FILTER else BulkSendForm.SELECTED,
        },
        suppliers=selectors.supplier_choices(user=request.user),
    )
    if request.method == "POST" and form.is_valid() and _bulk_filter_ok(form, register):
        data = form.cleaned_data
        chosen = register.qs if data["scope"] == BulkSendForm.FILTER else data["supplier"]
        try:
            result = bulk_services.suppliers_bulk_send(
                actor=request.user,
                suppliers=chosen,
                kind=data["kind"],
                template=data.get("template"),
                code=selectors.code_of_conduct_current(),
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            (messages.success if result.sent else messages.warning)(request, result.summary)
            query = urlencode(_filter_params(params))
            return redirect(reverse("suppliers:index") + (f"?{query}" if query else ""))
    ticked = form["supplier"].value() or []
    return render(
        request,
        "suppliers/bulk_send.html",
        {
            "form": form,
            "ticked": selectors.supplier_choices(user=request.user).filter(
                pk__in=[t for t in ticked if str(t).isdigit()]
            ),
            "matching": register.qs.count(),
            "filter_params": _filter_params(params),
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
    require_action(supplier_rules.can_change_supplier, request.user, supplier)
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
def procurement(request, pk):
    supplier = found_or_404(selectors.supplier_get(user=request.user, pk=pk))
    require(role_rules.can_manage_suppliers, request.user)
    # A terminated supplier is read-only (403), as on its edit page.
    require_action(supplier_rules.can_change_supplier, request.user, supplier)
    form = ProcurementForm(request.POST or None, instance=supplier)
    if request.method == "POST" and form.is_valid():
        try:
            procurement_services.supplier_procurement_update(
                supplier=supplier, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "Procurement details saved.")
            return redirect("suppliers:detail", pk=supplier.pk)
    return render(
        request,
        "suppliers/form.html",
        {"form": form, "title": f"Public procurement: {supplier.name}", "supplier": supplier},
    )


@login_required
def supply_chain(request, pk):
    """Edit the supplier's tier-2 and tier-3 suppliers: a few rows at a time, each with a Remove box."""
    supplier = found_or_404(selectors.supplier_get(user=request.user, pk=pk))
    require(role_rules.can_manage_suppliers, request.user)
    # A terminated supplier is read-only (403), as on its edit page.
    require_action(supplier_rules.can_change_supplier, request.user, supplier)
    formset = SubSupplierFormSet(
        request.POST or None,
        queryset=selectors.sub_supplier_list(user=request.user, supplier=supplier),
        form_kwargs={"supplier": supplier},
    )
    if request.method == "POST" and formset.is_valid():
        remove = [f.instance.pk for f in formset.deleted_forms if f.instance.pk]
        rows = [
            {"pk": f.instance.pk, **{name: f.cleaned_data.get(name) for name in tier_services.SUB_SUPPLIER_FIELDS}}
            for f in formset.forms
            if f.has_changed() and f not in formset.deleted_forms
        ]
        try:
            tier_services.supplier_supply_chain_update(supplier=supplier, actor=request.user, rows=rows, remove=remove)
        except ValidationError as exc:
            messages_add_service_errors(request, exc)
        else:
            messages.success(request, "Supply chain saved and risk rescored.")
            return redirect("suppliers:detail", pk=supplier.pk)
    return render(request, "suppliers/supply_chain.html", {"formset": formset, "supplier": supplier})


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
        # The page already lists all the supplier's enhanced checks (a register reader reads them all).
        "blockers": register_services.supplier_activation_blockers(
            supplier, enhanced_checks=records["enhanced_checks"]
        ),
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
    # A reader sees the page but may not change it, nor may anyone change a terminated supplier:
    # can_change_supplier is both (managing suppliers, and the supplier not terminated), 403.
    require_action(supplier_rules.can_change_supplier, request.user, supplier)
    assessment = register_services.risk_assess(supplier=supplier, actor=request.user, reason="Rescored by hand")
    messages.success(request, f"Rescored: {assessment.score} points, {assessment.band} risk.")
    return redirect("suppliers:detail", pk=supplier.pk)


@login_required
def enhanced_checks(request, pk):
    supplier = found_or_404(selectors.supplier_get(user=request.user, pk=pk))
    require(role_rules.can_manage_suppliers, request.user)
    require_action(supplier_rules.can_change_supplier, request.user, supplier)
    mapped = selectors.sub_supplier_list(user=request.user, supplier=supplier).exists()
    form = EnhancedChecksForm(request.POST or None, supply_chain_mapped=mapped)
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
            "intro": "A high-risk supplier cannot become active until these checks are recorded. "
            + (
                "Supply chain mapped: its tier-2/3 suppliers are recorded."
                if mapped
                else "Supply chain not mapped yet: record its tier-2/3 suppliers under Edit supply chain."
            ),
        },
    )


@login_required
def agency(request, pk):
    supplier = found_or_404(selectors.supplier_get(user=request.user, pk=pk))
    require(role_rules.can_manage_suppliers, request.user)
    require_action(supplier_rules.can_change_supplier, request.user, supplier)
    # Only the last answers are offered again; the date is today's, since submitting records a new check.
    initial = {
        "fees_outcome": supplier.agency_fees_outcome,
        "fees_evidence": supplier.agency_fees_evidence,
        "ids_outcome": supplier.agency_ids_outcome,
        "ids_evidence": supplier.agency_ids_evidence,
        "glaa_sectors": supplier.agency_glaa_sectors,
        "licence_number": supplier.agency_licence_number,
    }
    form = AgencyForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        evidence_file = data.pop("evidence_file", None)
        try:
            if evidence_file:
                register_services.document_upload(
                    supplier=supplier, uploaded=evidence_file, actor=request.user, description="Agency checks evidence"
                )
            supplier = register_services.supplier_agency_checks_record(supplier=supplier, actor=request.user, **data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
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
            "intro": "Policy 4.3: we do not use agencies that charge workers fees or retain their identity documents. "
            "Record what you checked; a clean check clears the agency for 12 months.",
        },
    )


@login_required
def decision(request, pk):
    supplier = found_or_404(selectors.supplier_get(user=request.user, pk=pk))
    require(role_rules.can_manage_suppliers, request.user)
    form = DecisionForm(request.POST or None, terminated=supplier.status == supplier.Status.TERMINATED)
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
    # A reader sees the page but may not change it, nor may anyone change a terminated supplier:
    # can_change_supplier is both (managing suppliers, and the supplier not terminated), 403.
    require_action(supplier_rules.can_change_supplier, request.user, supplier)
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
    require_action(supplier_rules.can_change_supplier, request.user, supplier)
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
    # The total is the register's cached count; a deep page reads its keys first, as the register does.
    page = paginate(request, agencies, deep_keys_first=True, count=selectors.register_count(agencies))
    return render(request, "suppliers/agency_list.html", {"page": page})


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
