"""The register's cached figures (its risk picture and its lists' totals), retired on every write they count.

What they count is the suppliers' own columns (risk band, status, decision, review date, and
whatever a register filter reads) and the corrective actions' (dates and status, for "overdue").
Saving or deleting either retires them (`connect`, through compliance.figure_cache); the services that write with a
queryset .update() or in bulk (rescoring, deadline extension, imports, the demo and bench data)
call `register_figures_changed()` themselves. compliance.figure_cache says how a figure that
is being computed while a write lands is never kept.
"""

from compliance.figure_cache import figures_changed, figures_retired_on_write

REGISTER_FIGURES = "suppliers_register"


def register_figures_changed() -> None:
    """Retire the register's cached figures (after a write that sends no model signal)."""
    figures_changed(REGISTER_FIGURES)


def connect():
    from suppliers.models import CorrectiveAction, Supplier

    figures_retired_on_write(REGISTER_FIGURES, [Supplier, CorrectiveAction])
