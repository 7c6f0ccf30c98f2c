from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting and governance"

    def ready(self):
        # audit registers models with auditlog; export_lists registers the KPI and registry exports.
        from reporting import audit, export_lists  # noqa: F401
