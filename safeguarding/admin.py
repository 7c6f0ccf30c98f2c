"""Django admin for support staff: cases are read-only here; work happens in the case pages."""

from django.contrib import admin

from safeguarding.models import Attachment, Concern, IdentityGrant, Referral, TimelineEntry


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
    exclude = ["receipt_code_hash", "narrative", "reporter", "on_behalf_of", "reporter_contact"]


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    list_display = ["concern", "kind", "made_on", "consent", "person_is_child"]
    list_filter = ["kind", "consent"]


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
