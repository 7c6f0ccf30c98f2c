from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Compliance (core)"

    def ready(self):
        # audit registers models with auditlog; export_lists registers the access-log export.
        from compliance import audit, export_lists  # noqa: F401
