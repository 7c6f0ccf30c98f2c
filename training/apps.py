from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Training, policies and ethical recruitment"

    def ready(self):
        from training import audit, signals  # noqa: F401  audit registers models with auditlog

        signals.connect()
