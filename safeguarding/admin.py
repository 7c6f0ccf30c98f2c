"""Django admin for support staff: cases are read-only here; work happens in the case pages."""

from django.contrib import admin

from compliance.encryption import encrypted_fields
from safeguarding.models import (
    Attachment,
    Concern,
    CqcNotification,
    FirstResponder,
    IdentityGrant,
    PurgeLog,
    Referral,
    RetentionRule,
    TimelineEntry,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    # Changes must go through the services (timeline, notifications, checks).
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Concern)
class ConcernAdmin(ReadOnlyAdmin):
    list_display = ["reference", "status", "risk_level", "subject_type", "channel", "created_at", "due_at"]
    list_filter = ["status", "risk_level", "subject_type", "channel"]
    search_fields = ["reference"]
    # The narrative and the reporter stay in the permission-checked case pages.
    # Nor does anything encrypted at rest: the admin would show it in clear to support staff.
    exclude = ["receipt_code_hash", "reporter", *(f.name for f in encrypted_fields(Concern))]


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    list_display = ["concern", "responder", "kind", "made_on", "age_group", "consent", "outcome"]
    list_filter = ["kind", "consent", "age_group", "outcome"]
    # What the person said and where they are (the encrypted fields) stay in the permission-checked case pages.
    exclude = [f.name for f in encrypted_fields(Referral)]


@admin.register(CqcNotification)
class CqcNotificationAdmin(ReadOnlyAdmin):
    list_display = ["concern", "notified_on", "cqc_reference", "recorded_by"]


@admin.register(FirstResponder)
class FirstResponderAdmin(admin.ModelAdmin):
    # The Compliance admin keeps the list on its own page (Organisation > First responders); kept here for support.
    list_display = ["name", "category", "is_nrm_first_responder", "has_duty_to_notify", "active"]
    list_filter = ["category", "active"]

    def has_delete_permission(self, request, obj=None):
        # Referrals point at it: deactivate instead.
        return False


@admin.register(TimelineEntry)
class TimelineEntryAdmin(ReadOnlyAdmin):
    list_display = ["concern", "kind", "created_at"]
    exclude = ["body"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["concern", "content_type", "size", "created_at"]
    exclude = ["file", "original_name"]


@admin.register(IdentityGrant)
class IdentityGrantAdmin(ReadOnlyAdmin):
    list_display = ["concern", "user", "granted_by", "created_at"]
    exclude = [f.name for f in encrypted_fields(IdentityGrant)]


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    """Retention periods per outcome and channel; with no rule, CASE_RETENTION_MONTHS applies."""

    list_display = ["__str__", "outcome", "channel", "months", "note"]


@admin.register(PurgeLog)
class PurgeLogAdmin(ReadOnlyAdmin):
    list_display = ["reference", "purged_at", "rule", "months", "closed_at"]
    search_fields = ["reference"]
