from django.apps import AppConfig


class SuppliersConfig(AppConfig):
    name = "suppliers"
    verbose_name = "Suppliers"

    def ready(self):
        # audit registers models with django-auditlog; export_lists registers the register's export.
        from suppliers import audit, export_lists, figures  # noqa: F401

        figures.connect()
