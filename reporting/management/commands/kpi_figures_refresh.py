"""Recompute the stored KPI figures of ended periods now (Celery beat does it hourly)."""

from django.core.management.base import BaseCommand

from reporting.kpi_figures import kpi_figures_refresh


class Command(BaseCommand):
    help = "Recompute and store the KPI figures of every ended period the dashboard offers or has stored."

    def handle(self, *args, **options):
        count = kpi_figures_refresh()
        self.stdout.write(f"Stored the KPI figures of {count} ended periods.")
