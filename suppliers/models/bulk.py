"""What a bulk action sent to which supplier on which day: the register's idempotency record."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from suppliers.models.querysets import RegisterQuerySet


class SupplierBulkSend(models.Model):
    """One supplier reached by one bulk action on one day; a second press the same day sends nothing."""

    class Kind(models.TextChoices):
        QUESTIONNAIRE = "questionnaire", "Send a questionnaire"
        CODE_OF_CONDUCT = "code_of_conduct", "Send the code of conduct"

    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="bulk_sends")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sent_on = models.DateField(default=timezone.localdate)
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to = models.EmailField()

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "kind", "sent_on"], name="supplier_bulk_send_once_a_day")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.supplier_id} on {self.sent_on}"
