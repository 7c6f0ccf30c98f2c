"""A supplier register import held as a background job: the file, its check, its progress, its outcome."""

from django.db import models
from django.urls import reverse

from compliance.leases import ImportJob
from suppliers.models.querysets import ManagerOnlyQuerySet


class SupplierImport(ImportJob):
    """An uploaded register file (CSV or XLSX), checked and applied by Celery tasks under a lease."""

    content = models.BinaryField(help_text="The uploaded file, kept until it is applied or abandoned.")

    objects = ManagerOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return f"Supplier import {self.filename} ({self.get_status_display().lower()})"

    def get_absolute_url(self) -> str:
        return reverse("suppliers:import_detail", args=[self.pk])
