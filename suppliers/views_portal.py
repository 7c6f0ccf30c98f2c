"""The supplier portal (no account, by link) and procurement's side of it: send the code of conduct, revoke a link."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from compliance import rules as role_rules
from compliance.services import client_ip
from compliance.web import form_add_service_errors, found_or_404, rate_hit, require
from suppliers import selectors
from suppliers.forms import ConductSendForm, PortalAcceptanceForm, PortalCertificateForm
from suppliers.models import SupplierPortalLink
from suppliers.services import portal as portal_services
from suppliers.services import questionnaire as questionnaire_services

SESSION_KEY = "supplier_portal"


def _closed(request, status=404):
    return render(request, "suppliers/portal_closed.html", {"too_many": status == 429}, status=status)


@never_cache
def portal_public(request, token):
    """The link in the email: its token is exchanged for a session at once, then the URL carries no token.

    As with the questionnaire link (suppliers.views_questionnaire), the token
    does not stay in the browser's history, a Referer or a log after this request.
    """
    # Counted per address before the lookup: guessing tokens costs the guesser, not the database.
    if (
        rate_hit(f"supplier-portal-open:{client_ip(request)}", window_seconds=3600)
        > settings.SUPPLIER_PORTAL_OPENS_PER_HOUR
    ):
        response = _closed(request, status=429)
    else:
        link = selectors.portal_link_for_token(token=token)
        if link is None:
            # Unknown, expired, revoked links and terminated suppliers look the same, and show nothing.
            response = _closed(request)
        else:
            # A new session key: whoever planted a session cookie beforehand does not share this one.
            request.session.cycle_key()
            request.session[SESSION_KEY] = {"id": link.pk, "token_hash": link.token_hash}
            portal_services.portal_opened(link=link, ip_address=client_ip(request))
            response = redirect("suppliers:portal")
    response["Referrer-Policy"] = "no-referrer"
    return response


def _session_link(request) -> SupplierPortalLink | None:
    held = request.session.get(SESSION_KEY) or {}
    return selectors.portal_link_for_session(pk=held.get("id"), token_hash=held.get("token_hash"))


@never_cache
def portal(request):
    """The supplier contact's page: only the supplier whose link opened this session."""
    response = _portal(request)
    # "same-origin": with no-referrer Chromium posts forms with "Origin: null", which the CSRF check refuses.
    response["Referrer-Policy"] = "same-origin"
    return response


def _portal(request):
    link = _session_link(request)
    if link is None:
        request.session.pop(SESSION_KEY, None)
        return _closed(request)
    code = selectors.code_of_conduct_current()
    accept_form = PortalAcceptanceForm(request.POST if "accept" in request.POST else None, prefix="accept")
    certificate_form = PortalCertificateForm(
        request.POST if "upload" in request.POST else None,
        request.FILES if "upload" in request.POST else None,
        prefix="certificate",
    )
    if request.method == "POST":
        if accept_form.is_bound and accept_form.is_valid() and code is not None:
            try:
                portal_services.portal_conduct_accept(
                    link=link,
                    code=code,
                    signed_by_name=accept_form.cleaned_data["signed_by_name"],
                    signed_by_role=accept_form.cleaned_data["signed_by_role"],
                    ip_address=client_ip(request),
                )
            except ValidationError as exc:
                form_add_service_errors(accept_form, exc)
            else:
                messages.success(request, f"Thank you: you have accepted the code of conduct v{code.version}.")
                return redirect("suppliers:portal")
        if certificate_form.is_bound and certificate_form.is_valid():
            data = certificate_form.cleaned_data
            try:
                certificate = portal_services.portal_certificate_upload(
                    link=link,
                    kind=data["kind"],
                    title=data["title"],
                    uploaded=data["file"],
                    issued_on=data.get("issued_on"),
                    expires_on=data.get("expires_on"),
                )
            except ValidationError as exc:
                form_add_service_errors(certificate_form, exc)
            else:
                messages.success(request, f"Thank you: “{certificate.title}” is uploaded.")
                return redirect("suppliers:portal")
    contents = selectors.portal_contents(link=link)
    accepted_current = code is not None and any(a.code_id == code.pk for a in contents["acceptances"])
    questionnaires = [(q, questionnaire_services.questionnaire_current_token(q)) for q in contents["questionnaires"]]
    return render(
        request,
        "suppliers/portal.html",
        {
            "link": link,
            "supplier": link.supplier,
            "code": code,
            "accepted_current": accepted_current,
            "accept_form": accept_form,
            "certificate_form": certificate_form,
            "acceptances": contents["acceptances"],
            "certificates": contents["certificates"],
            "questionnaires": [(q, token) for q, token in questionnaires if token],
        },
    )


@login_required
def conduct_send(request, pk):
    """Procurement sends the current code of conduct to any supplier but a terminated one, with a portal link."""
    supplier = found_or_404(selectors.supplier_get(user=request.user, pk=pk))
    require(role_rules.can_manage_suppliers, request.user)
    form = ConductSendForm(
        request.POST or None, initial={"contact_name": supplier.contact_name, "contact_email": supplier.contact_email}
    )
    if request.method == "POST" and form.is_valid():
        try:
            link, _token = portal_services.conduct_send(supplier=supplier, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Code of conduct sent to {link.contact_email} with a portal link valid until {link.expires_at:%d %B %Y}.",
            )
            return redirect("suppliers:detail", pk=supplier.pk)
    return render(
        request,
        "suppliers/form.html",
        {
            "form": form,
            "supplier": supplier,
            "title": f"Send the code of conduct to {supplier.name}",
            "submit_label": "Send the code of conduct",
            "intro": "The contact gets an email with a link to the supplier portal, where they accept the code, "
            "upload certificates and answer questionnaires. A new link replaces the contact's previous one.",
        },
    )


@login_required
@require_POST
def portal_link_revoke(request, pk):
    link = found_or_404(selectors.portal_link_get(user=request.user, pk=pk))
    # No form is read: portal_link_revoke's own check is the one gate (a reader who sees the
    # link on the supplier page gets its 403); a copy here could never change the answer.
    try:
        portal_services.portal_link_revoke(link=link, actor=request.user)
    except ValidationError as exc:
        messages.error(request, "Not revoked: " + " ".join(exc.messages))
    else:
        messages.success(request, f"Portal link of {link.contact_name} revoked: it no longer opens the portal.")
    return redirect("suppliers:detail", pk=link.supplier_id)
