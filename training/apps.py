from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Training, policies and ethical recruitment"

    def ready(self):
        # audit registers models with auditlog; export_lists registers the completion-rates export.
        from training import audit, export_lists, signals  # noqa: F401

        signals.connect()
