"""Audit, finding and corrective action pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from compliance import rules as role_rules
from compliance.web import form_add_service_errors, found_or_404, paginate, require, require_action
from suppliers import rules as supplier_rules
from suppliers import selectors
from suppliers.filters import AuditFilter, CorrectiveActionFilter
from suppliers.forms import (
    AuditCompleteForm,
    AuditForm,
    CorrectiveActionForm,
    EvidenceForm,
    FindingForm,
    VerifyForm,
)
from suppliers.models import CorrectiveAction, Finding
from suppliers.services import audit as audit_services


@login_required
def audit_list(request):
    require(role_rules.can_view_suppliers, request.user)
    audits = AuditFilter(request.GET or None, queryset=selectors.audit_list(user=request.user), request=request)
    # Deep pages read their 50 keys from the order's index first (from the far end for the last
    # pages) rather than join and count findings for every skipped audit: page 61 of 61 16 -> 1 ms of SQL.
    page = paginate(request, audits.qs.only(*selectors.AUDIT_LIST_FIELDS), deep_keys_first=True)
    return render(request, "suppliers/audit_list.html", {"page": page, "filter_form": audits.form})


@login_required
def audit_create(request, pk):
    supplier = found_or_404(selectors.supplier_get(user=request.user, pk=pk))
    # A form only managers use does not exist for anyone else: 404, readers included.
    require(role_rules.can_manage_suppliers, request.user)
    require_action(supplier_rules.can_change_supplier, request.user, supplier)
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


@login_required
def audit_detail(request, pk):
    # audit_get() is restricted to the register's readers: anyone else gets 404 there.
    audit = found_or_404(selectors.audit_get(user=request.user, pk=pk))
    # A terminated supplier's audits are read-only too: no forms are offered and none is accepted.
    can_manage = supplier_rules.can_change_supplier.test(request.user, audit.supplier)
    complete_form = AuditCompleteForm(prefix="complete")
    finding_form = FindingForm(prefix="finding")
    if request.method == "POST":
        # Managing suppliers and the supplier not terminated: one rule (a reader gets 403 here).
        require_action(supplier_rules.can_change_supplier, request.user, audit.supplier)
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
                    if finding.severity == Finding.Severity.CRITICAL:
                        messages.warning(request, "Critical finding recorded: the Modern Slavery Lead has been told.")
                    else:
                        messages.success(request, "Finding recorded.")
                    return redirect("suppliers:audit_detail", pk=audit.pk)
        except ValidationError as exc:
            form_add_service_errors(complete_form if "complete-result" in request.POST else finding_form, exc)
    findings = selectors.audit_findings(audit=audit)
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
    finding = found_or_404(selectors.finding_get(user=request.user, pk=pk))
    require(role_rules.can_manage_suppliers, request.user)
    require_action(supplier_rules.can_change_supplier, request.user, finding.supplier)
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
    actions = selectors.corrective_action_rows(user=request.user).exclude(status=CorrectiveAction.Status.VERIFIED)
    # A contract owner with no actions has nothing here: 404 like any other supplier page.
    if not role_rules.can_view_suppliers.test(request.user) and not actions.exists():
        raise Http404
    actions = CorrectiveActionFilter(request.GET or None, queryset=actions, request=request).qs
    # The order (due date, then pk) ends with the key: a deep page reads its keys first, from
    # the nearer end, then its 50 rows by key.
    page = paginate(request, actions, keys_first=True)
    return render(request, "suppliers/action_list.html", {"page": page})


@login_required
def action_detail(request, pk):
    action = found_or_404(selectors.corrective_action_get(user=request.user, pk=pk))
    # Nothing is offered on a terminated supplier's action (the services refuse it too).
    open_supplier = supplier_rules.is_not_terminated.test(request.user, action.supplier)
    can_manage = role_rules.can_manage_suppliers.test(request.user) and open_supplier
    can_update = supplier_rules.can_submit_corrective_action_evidence.test(request.user, action) and open_supplier
    evidence_form = EvidenceForm(prefix="evidence")
    verify_form = VerifyForm(prefix="verify")
    if request.method == "POST":
        try:
            if "verify-decision" in request.POST:
                require_action(role_rules.can_manage_suppliers, request.user)
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
                require_action(supplier_rules.can_submit_corrective_action_evidence, request.user, action)
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
            "events": selectors.corrective_action_timeline(action=action),
            "evidence_form": evidence_form,
            "verify_form": verify_form,
            "can_manage": can_manage,
            "can_update": can_update,
        },
    )
