from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting and governance"

    def ready(self):
        from reporting import audit  # noqa: F401  registers models with auditlog
