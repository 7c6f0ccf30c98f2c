"""HR and Compliance admin pages: courses, rules, records, imports and recruitment checks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django_htmx.http import HttpResponseClientRefresh

from compliance import rules as compliance_rules
from compliance.forms import ColumnMappingForm
from compliance.models import AccessLog
from compliance.services import access_log_record
from compliance.web import form_add_service_errors, found_or_404, paginate, require
from training import imports, selectors, services
from training import rules as training_rules
from training.filters import RECORD_STATUS_FILTERS, TrainingRecordFilterSet
from training.forms import AssignForm, AssignmentRuleForm, CourseForm, ImportForm, RecruitmentCheckForm
from training.models import ImportBatch, RecruitmentCheck
from training.policy_selectors import policy_versions_current


@login_required
def admin_index(request):
    require(compliance_rules.can_manage_training, request.user)
    counts = selectors.open_record_counts(user=request.user)
    return render(
        request,
        "training/admin/index.html",
        {
            "overdue": counts["overdue"],
            "awaiting": counts["awaiting"],
            "rates": selectors.completion_rates(user=request.user)["total"],
            "recruitment": selectors.recruitment_check_completion(user=request.user),
            "policies": policy_versions_current(user=request.user),
            "course_count": selectors.course_list(user=request.user).count(),
            "rule_count": selectors.assignment_rule_list(user=request.user).filter(is_active=True).count(),
        },
    )


# --- Courses and rules ----------------------------------------------------------


@login_required
def course_list(request):
    require(compliance_rules.can_manage_training, request.user)
    courses = selectors.course_list(user=request.user)
    return render(request, "training/admin/course_list.html", {"courses": courses})


@login_required
def course_edit(request, pk: int | None = None):
    require(compliance_rules.can_manage_training, request.user)
    course = None
    if pk is not None:
        course = found_or_404(selectors.course_list(user=request.user).filter(pk=pk).first())
    form = CourseForm(request.POST or None, instance=course)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.course_save(course=form.instance, actor=request.user)
                messages.success(request, f"Course “{form.instance.title}” saved.")
                return redirect("training:course_list")
            except ValidationError as exc:
                form_add_service_errors(form, exc)
        messages.error(request, "Nothing was saved: please correct the fields marked below.")
    return render(request, "training/admin/form.html", {"form": form, "title": course or "New course"})


@login_required
def rule_list(request):
    require(compliance_rules.can_manage_training, request.user)
    return render(
        request, "training/admin/rule_list.html", {"rules": selectors.assignment_rule_list(user=request.user)}
    )


@login_required
def rule_edit(request, pk: int | None = None):
    require(compliance_rules.can_manage_training, request.user)
    rule = None
    if pk is not None:
        rule = found_or_404(selectors.assignment_rule_list(user=request.user).filter(pk=pk).first())
    form = AssignmentRuleForm(request.POST or None, instance=rule)
    if request.method == "POST":
        if request.POST.get("action") == "deactivate" and rule is not None:
            rule.is_active = False
            services.assignment_rule_save(rule=rule, actor=request.user)
            messages.success(request, "Rule switched off. Courses already assigned stay assigned.")
            return redirect("training:rule_list")
        if form.is_valid():
            try:
                assigned = services.assignment_rule_save(rule=form.instance, actor=request.user)
                messages.success(request, f"Rule saved; {assigned} new assignment{'s' if assigned != 1 else ''}.")
                return redirect("training:rule_list")
            except ValidationError as exc:
                form_add_service_errors(form, exc)
        messages.error(request, "Nothing was saved: please correct the fields marked below.")
    return render(
        request,
        "training/admin/form.html",
        {"form": form, "title": str(rule) if rule else "New assignment rule", "rule": rule},
    )


# --- Records -------------------------------------------------------------------


@login_required
def record_list(request):
    require(compliance_rules.can_manage_training, request.user)
    records = selectors.training_record_rows(user=request.user).filter(user__is_active=True)
    filters = TrainingRecordFilterSet(request.GET, queryset=records, request=request)
    # Queries: the count (cached until a record or person changes) and one page of records with
    # person, department and course.
    page = paginate(
        request,
        filters.qs.order_by("due_on", "pk"),
        keys_first=True,
        count=selectors.training_figure_count(filters.qs),
    )
    return render(
        request,
        "training/admin/record_list.html",
        {
            "page": page,
            "status": request.GET.get("status", ""),
            "course": request.GET.get("course", ""),
            "search": request.GET.get("q", "").strip(),
            "statuses": RECORD_STATUS_FILTERS,
            "courses": selectors.course_list(user=request.user),
        },
    )


@login_required
def record_assign(request):
    require(compliance_rules.can_manage_training, request.user)
    form = AssignForm(request.POST or None, initial={"user": request.GET.get("user")})
    if request.method == "POST":
        if form.is_valid():
            try:
                record = services.training_assign(actor=request.user, **form.cleaned_data)
                messages.success(request, f"{record.course} assigned to {record.user}.")
                return redirect("training:record_list")
            except ValidationError as exc:
                form_add_service_errors(form, exc)
        messages.error(request, "Nothing was saved: please correct the fields marked below.")
    return render(request, "training/admin/form.html", {"form": form, "title": "Assign a course"})


# --- Imports -------------------------------------------------------------------


@login_required
def import_upload(request):
    require(compliance_rules.can_manage_training, request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                content = imports.read_upload(upload)
            except ValidationError as exc:
                form.add_error("file", exc.messages)
            else:
                batch = imports.import_check(
                    kind=form.cleaned_data["kind"], filename=upload.name, content=content, actor=request.user
                )
                if batch.status == ImportBatch.Status.MAPPING:
                    return redirect("training:import_columns", pk=batch.pk)
                return redirect("training:import_detail", pk=batch.pk)
        messages.error(request, "Nothing was checked: please correct the fields marked below.")
    batches = selectors.import_batch_list(user=request.user)[:20]
    return render(request, "training/admin/import_upload.html", {"form": form, "batches": batches})


def _import_batch(request, pk: int) -> ImportBatch:
    # Import batches are restricted to training managers: anyone else gets 404 from the read.
    batch = found_or_404(selectors.import_batch_list(user=request.user).filter(pk=pk).first())
    return batch


@login_required
def import_detail(request, pk: int):
    batch = _import_batch(request, pk)
    status_url = batch.get_absolute_url()
    if request.method == "POST":
        # Confirm: a worker applies the file; this request only queues it.
        try:
            imports.import_confirm(batch=batch, actor=request.user)
            messages.success(request, f"{batch.filename} is being imported. This page shows its progress.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("training:import_detail", pk=batch.pk)
    if request.htmx and batch.is_working:
        return render(request, "partials/import_job_status.html", {"job": batch, "status_url": status_url})
    if request.htmx:
        # Finished: reload the whole page so the errors, the confirm button or the summary show.
        return HttpResponseClientRefresh()
    return render(
        request,
        "training/admin/import_detail.html",
        {
            "batch": batch,
            "job": batch,
            "status_url": status_url,
            "columns_url": reverse("training:import_columns", args=[batch.pk]),
            "ImportBatch": ImportBatch,
        },
    )


@login_required
def import_columns(request, pk: int):
    batch = _import_batch(request, pk)
    if not batch.can_map:
        return redirect("training:import_detail", pk=batch.pk)
    analysis, saved = imports.import_columns(batch=batch, actor=request.user)
    form = ColumnMappingForm(
        request.POST or None,
        schema=imports.SCHEMAS[batch.kind],
        analysis=analysis,
        saved_name=saved.name if saved else "",
    )
    if request.method == "POST" and form.is_valid():
        try:
            imports.import_map(
                batch=batch, actor=request.user, analysis=analysis, targets=form.targets(), save_as=form.save_as()
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "Columns mapped: the file is being checked.")
            return redirect("training:import_detail", pk=batch.pk)
    context = {"batch": batch, "job": batch, "form": form, "analysis": analysis, "saved": saved}
    return render(request, "training/admin/import_columns.html", context)


@login_required
def import_abandon(request, pk: int):
    batch = _import_batch(request, pk)
    if request.method == "POST":
        try:
            imports.import_abandon(batch=batch, actor=request.user)
            messages.success(request, "Import abandoned: the file has been deleted.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("training:import_detail", pk=batch.pk)


# --- Recruitment checks -------------------------------------------------------------


@login_required
def recruitment_list(request):
    require(training_rules.can_manage_recruitment_checks, request.user)
    today = timezone.localdate()
    # Queries: the count (cached until a person or a role changes), then the page's keys and its
    # people with department and check (and agency) by key: the join to every agency and the sort
    # of every worker's full row were most of the page's time.
    people = selectors.recruitment_check_people(user=request.user)
    page = paginate(request, people, keys_first=True, count=selectors.training_figure_count(people))
    rows = []
    for person in page:
        check = getattr(person, "recruitment_check", None)
        rows.append({"person": person, "check": check, "complete": bool(check and check.is_complete_on(today))})
    access_log_record(
        user=request.user, obj=None, action=AccessLog.Action.VIEW, request=request, detail="Recruitment checks list"
    )
    return render(
        request,
        "training/admin/recruitment_list.html",
        {"page": page, "rows": rows, "rate": selectors.recruitment_check_completion(user=request.user)},
    )


@login_required
def recruitment_edit(request, user_id: int):
    # recruitment_check_people() is empty for anyone who may not keep recruitment checks: 404.
    worker = found_or_404(selectors.recruitment_check_people(user=request.user).filter(pk=user_id).first())
    check = getattr(worker, "recruitment_check", None) or RecruitmentCheck(worker=worker)
    form = RecruitmentCheckForm(request.POST or None, instance=check)
    if request.method == "POST":
        if check.pk and form.is_valid() and not form.has_changed():
            # Saved unchanged: keep the record (and who last changed it) exactly as it was.
            messages.info(request, f"Nothing changed in the recruitment checks for {worker}.")
            return redirect("training:recruitment_list")
        if form.is_valid():
            try:
                check = services.recruitment_check_save(check=form.instance, actor=request.user)
                messages.success(request, f"Recruitment checks for {worker} saved.")
                if check.agency is not None and check.agency.is_prohibited_agency:
                    messages.warning(
                        request,
                        f"{check.agency} is a prohibited agency under policy 4.3 (it charges workers fees or keeps "
                        "their identity documents). The Modern Slavery Lead has been told.",
                    )
                return redirect("training:recruitment_list")
            except ValidationError as exc:
                form_add_service_errors(form, exc)
        messages.error(request, "Nothing was saved: please correct the fields marked below.")
    elif check.pk:
        access_log_record(user=request.user, obj=check, action=AccessLog.Action.VIEW, request=request)
    return render(
        request,
        "training/admin/form.html",
        {"form": form, "title": f"Recruitment checks: {worker}", "worker": worker},
    )
