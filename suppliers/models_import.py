"""A supplier register import held as a background job: the file, its check, its progress, its outcome."""

from django.db import models

from compliance.leases import ImportJob

__all__ = ["SupplierImport"]


class SupplierImport(ImportJob):
    """An uploaded register file (CSV or XLSX), checked and applied by Celery tasks under a lease."""

    content = models.BinaryField(help_text="The uploaded file, kept until it is applied or abandoned.")

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return f"Supplier import {self.filename} ({self.get_status_display().lower()})"
