from django.contrib import admin

from training.models import AssignmentRule, Course, ImportBatch, RecruitmentCheck, TrainingRecord


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "kind", "provider", "validity_months", "is_active"]
    search_fields = ["title", "code"]


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(admin.ModelAdmin):
    list_display = ["course", "role", "department", "employment_type", "new_starter_within_days", "is_active"]
    list_select_related = ["course", "role", "department"]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(admin.ModelAdmin):
    list_display = ["user", "course", "due_on", "completed_on", "expires_on", "source"]
    list_select_related = ["user", "course"]
    search_fields = ["user__email", "user__full_name", "course__title"]
    raw_id_fields = ["user", "confirmed_by"]


@admin.register(RecruitmentCheck)
class RecruitmentCheckAdmin(admin.ModelAdmin):
    list_display = ["worker", "dbs_outcome", "right_to_work_verified_on", "right_to_work_expires_on"]
    list_select_related = ["worker"]
    raw_id_fields = ["worker", "agency", "updated_by"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["filename", "kind", "status", "uploaded_by", "uploaded_at"]
    readonly_fields = ["content", "errors", "summary"]


# Policies are core models; their admin lives here because this app owns their pages.
from compliance.policy_models import Acknowledgement, Policy, PolicyVersion  # noqa: E402


class PolicyVersionInline(admin.TabularInline):
    model = PolicyVersion
    extra = 0
    fields = ["number", "effective_date", "next_review_date", "published_at"]
    readonly_fields = ["published_at"]


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ["title", "requires_acknowledgement"]
    inlines = [PolicyVersionInline]


@admin.register(Acknowledgement)
class AcknowledgementAdmin(admin.ModelAdmin):
    list_display = ["user", "version", "acknowledged_at"]
    list_select_related = ["user", "version__policy"]
    raw_id_fields = ["user", "version"]
