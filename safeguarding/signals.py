"""Retire the case list's cached totals whenever a case is saved or deleted."""

from compliance.figure_cache import figures_retired_on_write

# The namespace of the case list's counts (safeguarding.selectors.case_list_count). What they
# count is a case's own columns (status, risk, assignee, subject, site) and who may see it: every
# service that changes one saves the case (a queryset .update() elsewhere touches only dates,
# the reporter or purged text, which no cached count reads: the overdue filter, which reads the
# due date and the clock, is always counted afresh).
CASE_FIGURES = "safeguarding_cases"


def connect():
    from safeguarding.models import Concern

    figures_retired_on_write(CASE_FIGURES, [Concern])
