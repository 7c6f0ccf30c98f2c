"""Retire the case list's cached totals whenever a case is saved or deleted."""

from django.db.models.signals import post_delete, post_save

from compliance.figure_cache import figures_changed

# The namespace of the case list's counts (safeguarding.selectors.case_list_count). What they
# count is a case's own columns (status, risk, assignee, subject, site) and who may see it: every
# service that changes one saves the case (a queryset .update() elsewhere touches only dates,
# the reporter or purged text, which no cached count reads: the overdue filter, which reads the
# due date and the clock, is always counted afresh).
CASE_FIGURES = "safeguarding_cases"


def _retire_case_figures(sender, **kwargs):
    figures_changed(CASE_FIGURES)


def connect():
    from safeguarding.models import Concern

    post_save.connect(_retire_case_figures, sender=Concern, dispatch_uid="safeguarding_case_figures_on_save")
    post_delete.connect(_retire_case_figures, sender=Concern, dispatch_uid="safeguarding_case_figures_on_delete")
