"""Policy pages: read and acknowledge (everyone); publish versions and follow rates (HR, admin)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from compliance.models import AccessLog
from compliance.services import access_log_record
from compliance.web import form_add_service_errors, found_or_404, require
from training import policy_selectors, policy_services
from training import rules as training_rules
from training.forms import AcknowledgeForm, PolicyForm, PolicyVersionForm


@login_required
def policy_list(request):
    # Every signed-in person reads the policies in force (login_required: inactive accounts have no session).
    return render(
        request,
        "training/policies/list.html",
        {
            "versions": policy_selectors.policy_versions_current(user=request.user),
            "can_manage": training_rules.can_manage_policies.test(request.user),
        },
    )


@login_required
def policy_create(request):
    require(training_rules.can_manage_policies, request.user)
    form = PolicyForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                policy = policy_services.policy_create(actor=request.user, **form.cleaned_data)
                messages.success(request, "Policy created. Now publish its first version.")
                return redirect("training:policy_publish", pk=policy.pk)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
        messages.error(request, "Nothing was saved: please correct the fields marked below.")
    return render(request, "training/admin/form.html", {"form": form, "title": "New policy"})


def _policy_or_404(user, pk):
    policy = found_or_404(policy_selectors.policy_list(user=user).filter(pk=pk).first())
    return policy


@login_required
def policy_detail(request, pk: int):
    require(training_rules.can_manage_policies, request.user)
    policy = _policy_or_404(request.user, pk)
    rates = policy_selectors.acknowledgement_rates(user=request.user, policy=policy)
    outstanding = (
        policy_selectors.acknowledgement_outstanding_rows(user=request.user, version=rates[0]["version"], limit=200)
        if rates
        else []
    )
    return render(
        request, "training/policies/detail.html", {"policy": policy, "rates": rates, "outstanding": outstanding}
    )


@login_required
def policy_publish(request, pk: int):
    require(training_rules.can_manage_policies, request.user)
    policy = _policy_or_404(request.user, pk)
    form = PolicyVersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                version = policy_services.policy_version_publish(policy=policy, actor=request.user, **form.cleaned_data)
                messages.success(
                    request, f"Version {version.number} published; staff have been asked to acknowledge it."
                )
                return redirect("training:policy_detail", pk=policy.pk)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
        messages.error(request, "Nothing was published: please correct the fields marked below.")
    return render(
        request,
        "training/admin/form.html",
        {"form": form, "title": f"Publish a new version of {policy}", "multipart": True},
    )


def _version_or_404(user, pk):
    version = found_or_404(policy_selectors.policy_version_list(user=user).filter(pk=pk).first())
    return version


@login_required
def policy_version(request, pk: int):
    version = _version_or_404(request.user, pk)
    acknowledged = version.acknowledgements.filter(user=request.user).first()
    return render(
        request,
        "training/policies/version.html",
        {"version": version, "acknowledged": acknowledged, "form": AcknowledgeForm()},
    )


@login_required
@require_POST
def policy_acknowledge(request, pk: int):
    version = _version_or_404(request.user, pk)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Tick “I have read and understood this policy” to acknowledge it.")
        return render(
            request,
            "training/policies/version.html",
            {"version": version, "acknowledged": None, "form": form},
            status=400,
        )
    try:
        policy_services.policy_acknowledge(version=version, actor=request.user)
        messages.success(request, f"Thank you: your acknowledgement of {version} is recorded.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("training:index")


@login_required
def policy_document(request, pk: int):
    version = _version_or_404(request.user, pk)
    if not version.document:
        raise Http404
    access_log_record(user=request.user, obj=version, action=AccessLog.Action.DOWNLOAD, request=request)
    return FileResponse(
        version.document.open("rb"), as_attachment=False, filename=version.document.name.rsplit("/")[-1]
    )
