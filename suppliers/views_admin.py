"""Register-wide pages: code of conduct versions, risk tables, import and export."""

import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone

from compliance import exports
from compliance import rules as r
from compliance.views import _require
from suppliers import selectors, services, services_import
from suppliers.forms import (
    CategoryRiskFormSet,
    CodeOfConductForm,
    CountryRiskFormSet,
    ImportForm,
    RiskWeightForm,
)
from suppliers.models import CategoryRisk, CountryRisk, RiskWeight
from suppliers.views import _apply_errors, _require_manager, filters_from


@login_required
def conduct(request):
    _require(r.can_view_suppliers, request.user)
    can_manage = r.can_manage_suppliers.test(request.user)
    form = CodeOfConductForm(request.POST or None)
    if request.method == "POST":
        _require_manager(request.user)
        if form.is_valid():
            try:
                code = services.code_of_conduct_publish(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, f"Version {code.version} published: active suppliers are asked to accept it.")
                return redirect("suppliers:conduct")
    return render(
        request,
        "suppliers/conduct.html",
        {
            "codes": selectors.code_of_conduct_list(user=request.user),
            "current": services.code_of_conduct_current(),
            "form": form,
            "can_manage": can_manage,
        },
    )


@login_required
def risk_settings(request):
    _require(r.can_view_suppliers, request.user)
    can_manage = r.can_manage_suppliers.test(request.user)
    weights = RiskWeight.objects.all()
    data = request.POST if request.method == "POST" else None
    weight_form = RiskWeightForm(data, weights=weights, prefix="w")
    countries = CountryRiskFormSet(data, queryset=CountryRisk.objects.all(), prefix="countries")
    categories = CategoryRiskFormSet(data, queryset=CategoryRisk.objects.all(), prefix="categories")
    if request.method == "POST":
        _require_manager(request.user)
        if weight_form.is_valid() and countries.is_valid() and categories.is_valid():
            with transaction.atomic():
                for w in weight_form.weights:
                    new = weight_form.cleaned_data[w.key]
                    if new != w.value:
                        w.value = new
                        w.save(update_fields=["value", "updated_at"])
                countries.save()
                categories.save()
            messages.success(request, "Risk tables saved. Scores change at each supplier's next rescore or review.")
            return redirect("suppliers:risk_settings")
        messages.error(request, "Nothing was saved: correct the values marked below.")
    return render(
        request,
        "suppliers/risk_settings.html",
        {"weight_form": weight_form, "countries": countries, "categories": categories, "can_manage": can_manage},
    )


def _import_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "supplier-imports"
    path.mkdir(parents=True, exist_ok=True)
    # Checked files that were never confirmed are not kept beyond a day.
    cutoff = time.time() - 24 * 3600
    for stale in path.iterdir():
        if stale.is_file() and stale.stat().st_mtime < cutoff:
            stale.unlink(missing_ok=True)
    return path


@login_required
def import_register(request):
    _require_manager(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        report = services_import.import_validate(filename=upload.name, content=content)
        if report.ok:
            # Keep the checked file (private, outside the web root) until the user confirms.
            token = uuid.uuid4().hex
            suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
            (_import_dir() / f"{token}{suffix}").write_bytes(content)
            request.session["supplier_import"] = {"token": token, "suffix": suffix, "name": upload.name}
    return render(request, "suppliers/import.html", {"form": form, "report": report})


@login_required
def import_confirm(request):
    _require_manager(request.user)
    if request.method != "POST":
        return redirect("suppliers:import")
    pending = request.session.pop("supplier_import", None)
    if not pending or not str(pending.get("token", "")).isalnum():
        messages.error(request, "Nothing to import: upload the file and check it first.")
        return redirect("suppliers:import")
    path = _import_dir() / f"{pending['token']}{pending['suffix']}"
    if not path.exists():
        messages.error(request, "The checked file is no longer available: upload it again.")
        return redirect("suppliers:import")
    content = path.read_bytes()
    path.unlink(missing_ok=True)
    report = services_import.import_apply(actor=request.user, filename=pending["name"], content=content)
    if not report.ok:
        messages.error(request, "Nothing was imported: the register changed since the check. Check the file again.")
        return render(request, "suppliers/import.html", {"form": ImportForm(), "report": report})
    messages.success(request, f"Imported: {report.to_create} added, {report.to_update} updated.")
    return redirect("suppliers:index")


@login_required
def export_register(request):
    _require(r.can_view_suppliers, request.user)
    _form, filters = filters_from(request)
    if filters.get("mine"):
        filters = {**filters, "contract_owner": request.user.pk}
    suppliers = selectors.supplier_list(user=request.user, filters=filters)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    download = exports.xlsx_download if fmt == "xlsx" else exports.csv_download
    extra = {"sheet_title": "Suppliers"} if fmt == "xlsx" else {}
    return download(
        request=request,
        filename=f"supplier-register-{timezone.localdate().isoformat()}.{fmt}",
        header=services_import.EXPORT_HEADER,
        rows=services_import.register_export_rows(suppliers),
        detail=f"Supplier register export ({fmt}, {suppliers.count()} rows)",
        **extra,
    )
