from django.contrib import admin

from reporting.models import (
    STATEMENT_TEXT_FIELDS,
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

    def get_readonly_fields(self, request, obj=None):
        # Approved text is frozen here too: a change needs a new version through the app.
        if obj is not None and obj.is_frozen:
            return (
                *self.readonly_fields,
                *STATEMENT_TEXT_FIELDS,
                "financial_year",
                "version",
                "period_start",
                "period_end",
            )
        return self.readonly_fields


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
