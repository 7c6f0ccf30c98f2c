from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "safeguarding"
    verbose_name = "Safeguarding"

    def ready(self):
        from safeguarding import (
            audit,  # noqa: F401  registers models with auditlog
            export_lists,  # noqa: F401  registers the case list export (compliance/export_registry.py)
            receipt_session,  # noqa: F401  clears the follow-up session at sign-in/out
            receivers,  # noqa: F401  opens a case when a supplier finding needs one
            signals,
        )

        signals.connect()
