"""A large export written by a worker and kept for a while for its requester to download (issue 17)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from compliance.leases import LeasedJob
from compliance.querysets import RestrictedQuerySet


class ExportJobQuerySet(RestrictedQuerySet):
    def restrict(self, user, action: str = "view") -> models.QuerySet:
        # An export holds what its requester's role let them see: nobody else's page or file, not even an admin's.
        if action not in ("view", "download") or user is None or not user.is_authenticated:
            return self.none()
        return self.filter(requested_by=user)


def export_job_path(instance, filename):
    return f"exports/{instance.pk}/{filename}"


class ExportJob(LeasedJob):
    """One export (a registered list, its filters and format) produced in the background under a lease."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Being written"
        DONE = "done", "Ready to download"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired (deleted)"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"

    IN_PROGRESS_STATUSES = (Status.QUEUED, Status.RUNNING)

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The name the export is registered under (compliance.export_registry) and the page's filters,
    # so the worker rebuilds exactly the list the requester filtered, as the requester.
    export = models.CharField(max_length=50)
    fmt = models.CharField("format", max_length=4, choices=Format.choices)
    query = models.TextField(blank=True, help_text="The filters, as the page's query string.")
    description = models.CharField(max_length=255, help_text="What the file holds, as the access log names it.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    row_count = models.PositiveIntegerField(default=0)
    failure_reason = models.CharField(max_length=500, blank=True)
    filename = models.CharField(max_length=255, help_text="The name the download is saved under.")
    file = models.FileField(upload_to=export_job_path, blank=True, max_length=300)
    size_bytes = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="The file is deleted after this.")

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-created_at", "-id"], name="exportjob_mine_newest")]

    def __str__(self):
        return f"Export {self.pk}: {self.description}"

    def get_absolute_url(self) -> str:
        return reverse("export_job_detail", args=[self.pk])

    @property
    def is_in_progress(self) -> bool:
        """Queued or being written: its page keeps polling."""
        return self.status in self.IN_PROGRESS_STATUSES

    @property
    def is_ready(self) -> bool:
        """Written, stored and not yet past its retention: the only state in which it can be downloaded."""
        return (
            self.status == self.Status.DONE
            and bool(self.file)
            and (self.expires_at is None or self.expires_at > timezone.now())
        )
