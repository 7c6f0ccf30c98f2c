"""Pages for everyone: my training, a training record, the team page and completion rates."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from compliance import exports
from compliance import rules as compliance_rules
from compliance.export_views import export_response
from compliance.models import AccessLog
from compliance.services import access_log_record
from compliance.web import form_add_service_errors, found_or_404, paginate, require
from training import rules as training_rules
from training import selectors, services
from training.export_lists import COMPLETION_RATES_EXPORT
from training.filters import CompletionRatesFilterSet, TeamFilterSet
from training.forms import CompletionForm, DeclarationForm, RescheduleForm
from training.models import Course
from training.policy_selectors import policy_versions_to_acknowledge


def _record_or_404(user, pk):
    record = found_or_404(selectors.training_record_get(user=user, pk=pk))
    return record


@login_required
def index(request):
    # Every signed-in person has their own training: @login_required is the whole gate
    # (an inactive account's session no longer authenticates).
    today = timezone.localdate()
    records = selectors.training_record_list(user=request.user).filter(user=request.user).order_by("due_on", "pk")
    return render(
        request,
        "training/index.html",
        {
            "statuses": selectors.current_statuses(records, today),
            "history": [x for x in records if x.completed_on is not None],
            "to_acknowledge": policy_versions_to_acknowledge(user=request.user),
            "can_view_rates": training_rules.can_view_completion_rates.test(request.user),
        },
    )


@login_required
def record_detail(request, pk: int):
    record = _record_or_404(request.user, pk)
    is_owner = record.user_id == request.user.pk
    declare_form = DeclarationForm() if is_owner and record.completed_on is None and not record.declared_on else None
    complete_form = (
        CompletionForm()
        if compliance_rules.can_manage_training.test(request.user)
        and not is_owner
        and record.completed_on is None
        and not record.declared_on
        else None
    )
    # Starts from the stored due date, so HR see it and change only what they mean to.
    reschedule_form = RescheduleForm(initial={"due_on": record.due_on}) if complete_form is not None else None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "reschedule" and reschedule_form is not None:
            reschedule_form = RescheduleForm(request.POST, initial={"due_on": record.due_on})
            if reschedule_form.is_valid() and "due_on" not in reschedule_form.changed_data:
                messages.info(request, "The due date is the same as before: nothing was changed.")
                return redirect("training:record_detail", pk=record.pk)
            if reschedule_form.is_valid():
                try:
                    services.training_record_reschedule(
                        record=record, actor=request.user, **reschedule_form.cleaned_data
                    )
                    messages.success(request, "Due date changed; the person has been told.")
                    return redirect("training:record_detail", pk=record.pk)
                except ValidationError as exc:
                    form_add_service_errors(reschedule_form, exc)
            messages.error(request, "The due date was not changed: please correct the fields marked below.")
            return render(
                request,
                "training/record_detail.html",
                {"record": record, "complete_form": complete_form, "reschedule_form": reschedule_form},
            )
        # Confirm and reject read no form: the service's can_confirm_record check is the one gate
        # (PermissionDenied, so 403); a second check here could never change the answer.
        if action == "confirm":
            try:
                services.training_record_confirm(record=record, actor=request.user)
                messages.success(request, "Completion confirmed.")
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            return redirect("training:record_detail", pk=record.pk)
        if action == "reject":
            try:
                services.training_record_declaration_reject(
                    record=record, actor=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, f"{record.user} has been told the completion was not confirmed.")
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            return redirect("training:record_detail", pk=record.pk)
        if action == "declare" and declare_form is not None:
            form = declare_form = DeclarationForm(request.POST, request.FILES)
            done = "Thank you. Your line manager has been asked to confirm it."
        elif action == "complete" and complete_form is not None:
            form = complete_form = CompletionForm(request.POST, request.FILES)
            done = "Completion recorded."
        else:
            raise PermissionDenied
        if form.is_valid():
            try:
                if action == "declare":
                    services.training_record_declare(record=record, actor=request.user, **form.cleaned_data)
                else:
                    services.training_record_mark_complete(record=record, actor=request.user, **form.cleaned_data)
                messages.success(request, done)
                return redirect("training:record_detail", pk=record.pk)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
        messages.error(request, "Nothing was saved: please correct the fields marked below.")
    return render(
        request,
        "training/record_detail.html",
        {
            "record": record,
            "declare_form": declare_form,
            "complete_form": complete_form,
            "reschedule_form": reschedule_form,
            "can_confirm": record.declared_on
            and record.completed_on is None
            and training_rules.can_confirm_record.test(request.user, record),
        },
    )


@login_required
def record_evidence(request, pk: int):
    record = _record_or_404(request.user, pk)
    if not record.evidence:
        raise Http404
    access_log_record(user=request.user, obj=record, action=AccessLog.Action.DOWNLOAD, request=request)
    return FileResponse(record.evidence.open("rb"), as_attachment=True, filename=record.evidence.name.rsplit("/")[-1])


@login_required
def team(request):
    require(compliance_rules.can_view_team_training, request.user)
    filters = TeamFilterSet(request.GET or None, queryset=selectors.team_people(user=request.user), request=request)
    # Queries: the departments for the filter, the people count (cached until a person or a
    # role changes), one page of people (with department; from the sixth page their keys first,
    # read from the nearer end of the name index), their records with courses, and the overdue
    # count over everyone filtered.
    shown = filters.qs.only(*selectors.TEAM_PERSON_FIELDS)
    page = paginate(request, shown, deep_keys_first=True, count=selectors.training_figure_count(filters.qs))
    return render(
        request,
        "training/team.html",
        {
            "page": page,
            "summaries": selectors.team_summaries(page.object_list),
            "filter_form": filters.form,
            "overdue_total": selectors.team_overdue_count(people=filters.qs),
        },
    )


@login_required
def person(request, user_id: int):
    # One gate: the selector's restrict(user, "oversee_training") answers None (404) for
    # anyone who may not oversee this person, whatever their role.
    subject = found_or_404(selectors.person_for_training(user=request.user, pk=user_id))
    today = timezone.localdate()
    records = subject.training_records.all()
    return render(
        request,
        "training/person.html",
        {
            "subject": subject,
            "statuses": selectors.current_statuses(records, today),
            "history": sorted((x for x in records if x.completed_on), key=lambda x: x.completed_on, reverse=True),
        },
    )


@login_required
def rates(request):
    require(training_rules.can_view_completion_rates, request.user)
    if request.GET.get("export") in exports.FORMATS:
        # The same filters as the page (training/export_lists.py).
        return export_response(request, name=COMPLETION_RATES_EXPORT, fmt=request.GET["export"])
    # The same FilterSet as the API's; an invalid value is shown on the form and the defaults used.
    filters = CompletionRatesFilterSet(request.GET or None, queryset=Course.objects.none(), request=request)
    form = filters.form
    result = selectors.completion_rates(user=request.user, **filters.rate_params())
    group_label = dict(selectors.GROUP_BY_CHOICES).get(result["group_by"], result["group_by"])
    context = {"form": form, "export_query": request.GET.urlencode(), "group_label": group_label, **result}
    return render(request, "training/rates.html", context)
