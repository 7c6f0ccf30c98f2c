from allauth.account.decorators import secure_admin_login
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from knox.models import AuthToken

from compliance.models import AccessLog, Department, LegalEntity, Notification, Organisation, Site, User

# No way into the admin around allauth: its sign-in page has the lockout and the
# TOTP step, and RequireMFAMiddleware makes staff and superusers enrol first.
admin.site.login = secure_admin_login(admin.site.login)

# Secrets never reach an admin page. API tokens are revoked by their owner (or by
# deactivating the person); the libraries' own admin pages would show the token
# lookup key and digest, and let an admin mint a token for someone else.
admin.site.unregister(AuthToken)
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    """Who has which second factor; deleting one resets a lost device. The secrets are not shown."""

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__full_name"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["full_name"]
    list_display = ["email", "full_name", "department", "site", "is_active"]
    list_filter = ["is_active", "groups", "department", "site", "employment_type"]
    search_fields = ["email", "full_name"]
    list_select_related = ["department", "site"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            "Person",
            {
                "fields": (
                    "full_name",
                    "job_title",
                    "department",
                    "site",
                    "line_manager",
                    "employment_type",
                    "start_date",
                    "left_on",
                )
            },
        ),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)
    raw_id_fields = ["line_manager"]


class LegalEntityInline(admin.TabularInline):
    model = LegalEntity
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    inlines = [LegalEntityInline]


admin.site.register(Department)
admin.site.register(Site)


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "action", "object_repr", "ip_address"]
    list_filter = ["action"]
    list_select_related = ["user"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "subject", "read_at", "emailed_at"]
    list_select_related = ["recipient"]
