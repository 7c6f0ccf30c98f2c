from django.apps import AppConfig


class SuppliersConfig(AppConfig):
    name = "suppliers"
    verbose_name = "Suppliers"

    def ready(self):
        from suppliers import audit  # noqa: F401  (registers models with django-auditlog)
