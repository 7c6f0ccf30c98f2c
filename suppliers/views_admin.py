"""Register-wide pages: code of conduct versions, risk tables, import and export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRefresh

from compliance import rules as role_rules
from compliance.export_views import export_response
from compliance.forms import ColumnMappingForm
from compliance.web import form_add_service_errors, found_or_404, messages_add_service_errors, require, require_action
from suppliers import selectors
from suppliers.export_lists import SUPPLIER_REGISTER_EXPORT
from suppliers.forms import (
    CategoryRiskFormSet,
    CodeOfConductForm,
    CountryRiskFormSet,
    ImportForm,
    RiskWeightForm,
)
from suppliers.services import imports as import_services
from suppliers.services import register as register_services


@login_required
def conduct(request):
    require(role_rules.can_view_suppliers, request.user)
    can_manage = role_rules.can_manage_suppliers.test(request.user)
    form = CodeOfConductForm(request.POST or None)
    if request.method == "POST":
        # A reader sees the page but may not change it.
        require_action(role_rules.can_manage_suppliers, request.user)
        if form.is_valid():
            try:
                code = register_services.code_of_conduct_publish(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, f"Version {code.version} published: active suppliers are asked to accept it.")
                return redirect("suppliers:conduct")
    return render(
        request,
        "suppliers/conduct.html",
        {
            "codes": selectors.code_of_conduct_list(user=request.user),
            "current": selectors.code_of_conduct_current(),
            "form": form,
            "can_manage": can_manage,
        },
    )


@login_required
def risk_settings(request):
    require(role_rules.can_view_suppliers, request.user)
    can_manage = role_rules.can_manage_suppliers.test(request.user)
    tables = selectors.risk_tables(user=request.user)
    data = request.POST if request.method == "POST" else None
    weight_form = RiskWeightForm(data, weights=tables["weights"], prefix="w")
    countries = CountryRiskFormSet(data, queryset=tables["countries"], prefix="countries")
    categories = CategoryRiskFormSet(data, queryset=tables["categories"], prefix="categories")
    if request.method == "POST":
        # A reader sees the page but may not change it.
        require_action(role_rules.can_manage_suppliers, request.user)
        if weight_form.is_valid() and countries.is_valid() and categories.is_valid():
            countries_changed = countries.save(commit=False)
            register_services.risk_tables_update(
                actor=request.user,
                weights={w.key: weight_form.cleaned_data[w.key] for w in weight_form.weights},
                countries_changed=countries_changed,
                countries_removed=countries.deleted_objects,
                categories_changed=categories.save(commit=False),
            )
            messages.success(request, "Risk tables saved. Scores change at each supplier's next rescore or review.")
            return redirect("suppliers:risk_settings")
        messages.error(request, "Nothing was saved: correct the values marked below.")
    # Worked out here, not as {{ countries.total_error_count }} in the template: a template's lookup
    # on a formset first tries formset["total_error_count"], and that builds every row's form.
    tables_refused = request.method == "POST" and bool(countries.total_error_count() or categories.total_error_count())
    return render(
        request,
        "suppliers/risk_settings.html",
        {
            "weight_form": weight_form,
            "countries": countries,
            "categories": categories,
            "can_manage": can_manage,
            "tables_refused": tables_refused,
        },
    )


@login_required
def import_register(request):
    # A form only managers use does not exist for anyone else: 404, readers included.
    require(role_rules.can_manage_suppliers, request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        # The file is kept with the job; a worker checks it while this request returns at once.
        job = import_services.supplier_import_upload(actor=request.user, filename=upload.name, content=upload.read())
        if job.status == job.Status.MAPPING:
            return redirect("suppliers:import_columns", pk=job.pk)
        return redirect("suppliers:import_detail", pk=job.pk)
    imports = selectors.supplier_import_list(user=request.user)[:10]
    return render(
        request, "suppliers/import.html", {"form": form, "imports": imports, "max_rows": import_services.MAX_ROWS}
    )


@login_required
def import_detail(request, pk: int):
    job = found_or_404(selectors.supplier_import_get(user=request.user, pk=pk))
    status_url = reverse("suppliers:import_detail", args=[job.pk])
    if request.htmx and job.is_working:
        return render(request, "partials/import_job_status.html", {"job": job, "status_url": status_url})
    if request.htmx:
        # Finished: reload the whole page so the errors, the confirm button or the summary show.
        return HttpResponseClientRefresh()
    columns_url = reverse("suppliers:import_columns", args=[job.pk])
    return render(
        request, "suppliers/import_detail.html", {"job": job, "status_url": status_url, "columns_url": columns_url}
    )


@login_required
def import_columns(request, pk: int):
    job = found_or_404(selectors.supplier_import_get(user=request.user, pk=pk))
    if not job.can_map:
        return redirect("suppliers:import_detail", pk=job.pk)
    analysis, saved = import_services.supplier_import_columns(job=job, actor=request.user)
    form = ColumnMappingForm(
        request.POST or None, schema=import_services.SCHEMA, analysis=analysis, saved_name=saved.name if saved else ""
    )
    if request.method == "POST" and form.is_valid():
        try:
            import_services.supplier_import_map(
                job=job, actor=request.user, analysis=analysis, targets=form.targets(), save_as=form.save_as()
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "Columns mapped: the file is being checked.")
            return redirect("suppliers:import_detail", pk=job.pk)
    return render(
        request, "suppliers/import_columns.html", {"job": job, "form": form, "analysis": analysis, "saved": saved}
    )


@login_required
def import_confirm(request, pk: int):
    job = found_or_404(selectors.supplier_import_get(user=request.user, pk=pk))
    if request.method == "POST":
        try:
            import_services.supplier_import_confirm(job=job, actor=request.user)
        except ValidationError as exc:
            messages_add_service_errors(request, exc)
    return redirect("suppliers:import_detail", pk=job.pk)


@login_required
def import_abandon(request, pk: int):
    job = found_or_404(selectors.supplier_import_get(user=request.user, pk=pk))
    if request.method == "POST":
        try:
            import_services.supplier_import_abandon(job=job, actor=request.user)
            messages.success(request, "Import abandoned: the file has been deleted.")
        except ValidationError as exc:
            messages_add_service_errors(request, exc)
    return redirect("suppliers:import_detail", pk=job.pk)


@login_required
def export_register(request):
    """The register with the page's filters (suppliers/export_lists.py); a large XLSX becomes a background job."""
    return export_response(request, name=SUPPLIER_REGISTER_EXPORT, fmt=request.GET.get("format"))
