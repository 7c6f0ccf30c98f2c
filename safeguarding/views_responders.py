"""The Compliance admin's list of first responders and agencies that referrals go through."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from compliance import rules as role_rules
from compliance.web import form_add_service_errors, found_or_404, require
from safeguarding import selectors, services
from safeguarding.forms import FirstResponderForm


def _save(request, form, responder=None):
    try:
        return services.first_responder_save(actor=request.user, responder=responder, **form.cleaned_data)
    except ValidationError as exc:
        form_add_service_errors(form, exc)
        return None


@login_required
def first_responders(request):
    require(role_rules.can_manage_organisation, request.user)
    form = FirstResponderForm(request.POST or None, prefix="new")
    if request.method == "POST":
        if form.is_valid() and (saved := _save(request, form)) is not None:
            messages.success(request, f"{saved} added: case workers can now refer through it.")
            return redirect("safeguarding:first_responders")
        messages.error(request, "Nothing was saved: please correct the fields marked below.")
    responders = selectors.first_responders(user=request.user, action="change")
    return render(
        request,
        "safeguarding/first_responders.html",
        {"responders": responders, "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
def first_responder_edit(request, pk: int):
    # Read for change: only the Compliance admin finds it; anyone else gets 404 from the read.
    responder = found_or_404(selectors.first_responder_get(user=request.user, pk=pk))
    form = FirstResponderForm(request.POST or None, instance=responder)
    if request.method == "POST":
        if form.is_valid() and _save(request, form, responder) is not None:
            messages.success(request, f"{responder} saved.")
            return redirect("safeguarding:first_responders")
        messages.error(request, "Nothing was saved: please correct the fields marked below.")
    return render(
        request,
        "safeguarding/first_responder_form.html",
        {"responder": responder, "form": form},
        status=400 if form.is_bound else 200,
    )
