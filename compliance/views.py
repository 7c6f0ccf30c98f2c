"""Core pages: start page, organisation profile, notifications, access log, API token."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from compliance import account_services, exports, outbox, selectors, services
from compliance import rules as compliance_rules
from compliance.export_lists import ACCESS_LOG_EXPORT
from compliance.export_views import export_response
from compliance.filters import AccessLogFilterSet, PeopleFilterSet
from compliance.forms import (
    DepartmentFormSet,
    LegalEntityFormSet,
    OrganisationForm,
    PersonForm,
    SiteFormSet,
)
from compliance.models import OutboxMessage
from compliance.web import paginate, require


@login_required
def home(request):
    # The sections come from the context processor that also builds the nav.
    return render(request, "compliance/home.html")


@login_required
def organisation(request):
    require(compliance_rules.can_manage_organisation, request.user)
    org = services.organisation_get()
    data = request.POST if request.method == "POST" else None
    form = OrganisationForm(data, instance=org)
    entities = LegalEntityFormSet(data, instance=org, prefix="entities")
    departments = DepartmentFormSet(data, queryset=selectors.department_list(user=request.user), prefix="departments")
    sites = SiteFormSet(data, queryset=selectors.site_list(user=request.user), prefix="sites")
    if request.method == "POST":
        forms_ok = all([form.is_valid(), entities.is_valid(), departments.is_valid(), sites.is_valid()])
        if forms_ok:
            services.organisation_profile_save(actor=request.user, form=form, formsets=[entities, departments, sites])
            messages.success(request, "Organisation profile saved.")
            return redirect("organisation")
        messages.error(request, "Nothing was saved: please correct the fields marked below.")
    return render(
        request,
        "compliance/organisation.html",
        {"form": form, "entities": entities, "departments": departments, "sites": sites},
    )


@login_required
def notification_list(request):
    page = paginate(request, selectors.notification_list(user=request.user), per_page=25)
    return render(request, "compliance/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk: int):
    notification = get_object_or_404(selectors.notification_list(user=request.user), pk=pk)
    services.notification_mark_read(user=request.user, notification_id=notification.pk)
    if notification.url and request.POST.get("open"):
        return redirect(notification.url)
    return redirect("notifications")


@login_required
@require_POST
def notification_read_all(request):
    count = services.notification_mark_read(user=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("notifications")


@login_required
def access_log(request):
    require(compliance_rules.can_view_access_log, request.user)
    filters = AccessLogFilterSet(request.GET or None, queryset=selectors.access_log_list(user=request.user))
    entries = filters.qs
    if request.GET.get("format") in exports.FORMATS:
        # The same filters as the page (compliance/export_lists.py); a large XLSX becomes a background job.
        return export_response(request, name=ACCESS_LOG_EXPORT, fmt=request.GET["format"])
    return render(
        request,
        "compliance/access_log.html",
        {
            "page": paginate(
                request, entries, keys_first=True, count=selectors.access_log_count(entries, who=request.GET.get("who"))
            ),
            "filter_form": filters.form,
        },
    )


@login_required
def api_token(request):
    new_key = None
    if request.method == "POST":
        if request.POST.get("action") == "create":
            _token, new_key = account_services.api_token_create(user=request.user)
            # Shown once: only a digest is stored, so nobody can show it again.
            messages.success(request, "New API token created. Copy it now: it will not be shown again.")
        else:
            account_services.api_token_revoke(user=request.user)
            messages.success(request, "API token revoked.")
    token = selectors.api_token_for(user=request.user)
    expired = bool(token and token.expiry and token.expiry < timezone.now())
    response = render(request, "compliance/api_token.html", {"token": token, "new_key": new_key, "expired": expired})
    if new_key:
        add_never_cache_headers(response)
    return response


@login_required
def people(request):
    require(compliance_rules.can_manage_organisation, request.user)
    # Always bound, even without parameters: django-filter filters only a bound form, and the list's
    # default (the active people, PeopleFilterSet.filter_queryset) must hold on its first page too.
    filters = PeopleFilterSet(request.GET, queryset=selectors.people_list_for_admin(user=request.user))
    page = paginate(request, filters.qs, deep_keys_first=True)
    page.object_list = selectors.people_with_role_names(page.object_list)
    return render(request, "compliance/people.html", {"page": page, "filter_form": filters.form})


@login_required
def person_edit(request, pk: int | None = None):
    require(compliance_rules.can_manage_organisation, request.user)
    person = get_object_or_404(selectors.people_for_admin(user=request.user), pk=pk) if pk else None
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST":
        if form.is_valid():
            saved = services.person_save(actor=request.user, person=person, request=request, **form.cleaned_data)
            if person is None:
                messages.success(request, f"{saved} added. They have been emailed a link to choose a password.")
            else:
                messages.success(request, f"{saved} saved.")
            return redirect("people")
        messages.error(request, "Nothing was saved: please correct the fields marked below.")
    return render(request, "compliance/person_form.html", {"form": form, "person": person})


@login_required
def outbox_failed(request):
    """Emails that could not be delivered after a day of retries, each with a re-send button."""
    require(compliance_rules.can_manage_organisation, request.user)
    page = paginate(
        request,
        selectors.outbox_messages_for_admin(user=request.user, status=OutboxMessage.Status.FAILED).order_by(
            "-created_at", "-pk"
        ),
    )
    return render(
        request,
        "compliance/outbox_failed.html",
        {
            "page": page,
            "counts": selectors.outbox_counts(user=request.user),
            "retry_hours": settings.EMAIL_RETRY_HOURS,
        },
    )


@login_required
@require_POST
def outbox_resend(request, pk: int):
    message = get_object_or_404(
        selectors.outbox_messages_for_admin(user=request.user, status=OutboxMessage.Status.FAILED), pk=pk
    )
    outbox.outbox_message_resend(actor=request.user, message=message)
    messages.success(request, f"Email to {message.to} queued again: it will be sent within a minute.")
    return redirect("outbox_failed")
