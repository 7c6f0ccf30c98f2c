"""The register's cached figures (its risk picture and its lists' totals), retired on every write they count.

What they count is the suppliers' own columns (risk band, status, decision, review date, and
whatever a register filter reads) and the corrective actions' (dates and status, for "overdue").
Saving or deleting either retires them (the receivers below); the services that write with a
queryset .update() or in bulk (rescoring, deadline extension, imports, the demo and bench data)
call `register_figures_changed()` themselves. compliance.figure_cache says how a figure that
is being computed while a write lands is never kept.
"""

from django.db.models.signals import post_delete, post_save

from compliance.figure_cache import figures_changed

REGISTER_FIGURES = "suppliers_register"


def register_figures_changed() -> None:
    """Retire the register's cached figures (after a write that sends no model signal)."""
    figures_changed(REGISTER_FIGURES)


def _retire(sender, **kwargs):
    register_figures_changed()


def connect():
    from suppliers.models import CorrectiveAction, Supplier

    for model in (Supplier, CorrectiveAction):
        name = model._meta.label_lower
        post_save.connect(_retire, sender=model, dispatch_uid=f"register_figures_on_save_{name}")
        post_delete.connect(_retire, sender=model, dispatch_uid=f"register_figures_on_delete_{name}")
