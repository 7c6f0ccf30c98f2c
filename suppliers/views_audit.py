"""Audit, finding and corrective action pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from compliance import rules as r
from compliance.web import form_add_service_errors, require
from suppliers import selectors
from suppliers.forms import (
    AuditCompleteForm,
    AuditForm,
    CorrectiveActionForm,
    EvidenceForm,
    FindingForm,
    VerifyForm,
)
from suppliers.models import Audit, CorrectiveAction
from suppliers.services import audit as audit_services
from suppliers.views import PAGE_SIZE, _supplier_or_404, require_manager_page


@login_required
def audit_list(request):
    require(r.can_view_suppliers, request.user)
    filters = {k: request.GET.get(k) for k in ("status", "result", "kind", "method") if request.GET.get(k)}
    page = Paginator(selectors.audit_list(user=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "suppliers/audit_list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": Audit.Status.choices,
            "results": Audit.Result.choices,
            "kinds": Audit.Kind.choices,
        },
    )


@login_required
def audit_create(request, pk):
    supplier = _supplier_or_404(request.user, pk)
    require_manager_page(request.user)
    form = AuditForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            audit = audit_services.audit_plan(supplier=supplier, actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "Audit planned.")
            return redirect("suppliers:audit_detail", pk=audit.pk)
    return render(
        request,
        "suppliers/form.html",
        {"form": form, "supplier": supplier, "title": f"Plan an audit of {supplier.name}"},
    )


def _audit_or_404(user, pk):
    audit = selectors.audit_list(user=user).filter(pk=pk).first()
    if audit is None:
        raise Http404
    return audit


@login_required
def audit_detail(request, pk):
    require(r.can_view_suppliers, request.user)
    audit = _audit_or_404(request.user, pk)
    can_manage = r.can_manage_suppliers.test(request.user)
    complete_form = AuditCompleteForm(prefix="complete")
    finding_form = FindingForm(prefix="finding")
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if "cancel" in request.POST:
            try:
                audit_services.audit_cancel(audit=audit, actor=request.user, reason=request.POST.get("reason", ""))
            except ValidationError as exc:
                messages.error(request, "Not cancelled: " + " ".join(exc.messages))
            else:
                messages.success(request, "Audit cancelled.")
            return redirect("suppliers:audit_detail", pk=audit.pk)
        try:
            if "complete-result" in request.POST:
                complete_form = AuditCompleteForm(request.POST, prefix="complete")
                if complete_form.is_valid():
                    audit_services.audit_complete(audit=audit, actor=request.user, **complete_form.cleaned_data)
                    messages.success(request, "Audit result recorded.")
                    return redirect("suppliers:audit_detail", pk=audit.pk)
            else:
                finding_form = FindingForm(request.POST, prefix="finding")
                if finding_form.is_valid():
                    finding = audit_services.finding_record(
                        audit=audit, actor=request.user, **finding_form.cleaned_data
                    )
                    if finding.severity == "critical":
                        messages.warning(request, "Critical finding recorded: the Modern Slavery Lead has been told.")
                    else:
                        messages.success(request, "Finding recorded.")
                    return redirect("suppliers:audit_detail", pk=audit.pk)
        except ValidationError as exc:
            form_add_service_errors(complete_form if "complete-result" in request.POST else finding_form, exc)
    findings = audit.findings.prefetch_related("corrective_actions__owner")
    return render(
        request,
        "suppliers/audit_detail.html",
        {
            "audit": audit,
            "findings": findings,
            "complete_form": complete_form,
            "finding_form": finding_form,
            "can_manage": can_manage,
        },
    )


@login_required
def corrective_action_create(request, pk):
    require(r.can_view_suppliers, request.user)
    finding = selectors.finding_list(user=request.user).filter(pk=pk).first()
    if finding is None:
        raise Http404
    require_manager_page(request.user)
    form = CorrectiveActionForm(request.POST or None, initial={"owner": finding.supplier.contract_owner_id})
    if request.method == "POST" and form.is_valid():
        try:
            action = audit_services.corrective_action_open(finding=finding, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "Corrective action opened; the owner has been told.")
            return redirect("suppliers:action_detail", pk=action.pk)
    return render(
        request,
        "suppliers/form.html",
        {"form": form, "supplier": finding.supplier, "title": "Open a corrective action", "intro": finding.description},
    )


@login_required
def action_list(request):
    actions = selectors.corrective_action_list(user=request.user).exclude(status=CorrectiveAction.Status.VERIFIED)
    # A contract owner with no actions has nothing here: 404 like any other supplier page.
    if not r.can_view_suppliers.test(request.user) and not actions.exists():
        raise Http404
    if request.GET.get("mine"):
        actions = actions.filter(owner=request.user)
    if request.GET.get("overdue"):
        # The one rule for "overdue", so the register's "Overdue: N" link shows exactly N rows.
        actions = actions.filter(pk__in=CorrectiveAction.objects.overdue().values("pk"))
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "suppliers/action_list.html", {"page": page})


@login_required
def action_detail(request, pk):
    action = selectors.corrective_action_get(user=request.user, pk=pk)
    if action is None:
        raise Http404
    can_manage = r.can_manage_suppliers.test(request.user)
    is_owner = action.owner_id == request.user.pk
    evidence_form = EvidenceForm(prefix="evidence")
    verify_form = VerifyForm(prefix="verify")
    if request.method == "POST":
        try:
            if "verify-decision" in request.POST:
                if not can_manage:
                    raise PermissionDenied
                verify_form = VerifyForm(request.POST, prefix="verify")
                if verify_form.is_valid():
                    audit_services.corrective_action_verify(
                        action=action,
                        actor=request.user,
                        accepted=verify_form.cleaned_data["decision"] == "accept",
                        note=verify_form.cleaned_data["note"],
                    )
                    messages.success(request, "Verification recorded.")
                    return redirect("suppliers:action_detail", pk=action.pk)
            else:
                if not (can_manage or is_owner):
                    raise PermissionDenied
                evidence_form = EvidenceForm(request.POST, request.FILES, prefix="evidence")
                if evidence_form.is_valid():
                    audit_services.corrective_action_submit_evidence(
                        action=action,
                        actor=request.user,
                        evidence=evidence_form.cleaned_data["evidence"],
                        uploaded=evidence_form.cleaned_data.get("evidence_file"),
                    )
                    messages.success(request, "Evidence submitted for verification.")
                    return redirect("suppliers:action_detail", pk=action.pk)
        except ValidationError as exc:
            form_add_service_errors(verify_form if "verify-decision" in request.POST else evidence_form, exc)
    return render(
        request,
        "suppliers/action_detail.html",
        {
            "action": action,
            "events": action.events.select_related("actor"),
            "evidence_form": evidence_form,
            "verify_form": verify_form,
            "can_manage": can_manage,
            "can_update": can_manage or is_owner,
        },
    )
