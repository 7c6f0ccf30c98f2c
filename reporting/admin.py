from django.contrib import admin

from reporting.models import (
    ActionPlanItem,
    BoardReport,
    GovernanceMeeting,
    KpiSnapshot,
    RiskRegisterEntry,
    RiskRegisterReview,
    Statement,
)


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ("financial_year", "version", "status", "approved_on", "signatory_name", "published_on")
    list_filter = ("status",)
    # Workflow fields change only through the services (approve/sign/publish).
    readonly_fields = (
        "status",
        "approved_on",
        "approved_meeting",
        "signed_by",
        "signatory_name",
        "signatory_title",
        "signed_on",
        "published_on",
        "published_url",
    )


@admin.register(RiskRegisterEntry)
class RiskRegisterEntryAdmin(admin.ModelAdmin):
    list_display = ("title", "area", "likelihood", "impact", "owner", "review_due", "status")
    list_filter = ("area", "status")


admin.site.register(RiskRegisterReview)
admin.site.register(GovernanceMeeting)
admin.site.register(ActionPlanItem)


@admin.register(BoardReport)
class BoardReportAdmin(admin.ModelAdmin):
    list_display = ("financial_year", "status", "requested_by", "requested_at", "finished_at")
    readonly_fields = ("file",)


@admin.register(KpiSnapshot)
class KpiSnapshotAdmin(admin.ModelAdmin):
    list_display = ("period_start", "period_end", "taken_at")
