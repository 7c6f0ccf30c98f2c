"""The organisation's own wording for reporting-journey strings, per language (issue 16)."""

from django.conf import settings
from django.db import models


class JourneyWording(models.Model):
    """One reporting-journey string said the organisation's way in one language, without a deploy."""

    language = models.CharField(max_length=10, choices=settings.LANGUAGES)
    msgid = models.TextField("English string", help_text="The string in the English catalogue (locale/django.pot).")
    text = models.TextField("wording shown")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["language", "msgid"]
        constraints = [models.UniqueConstraint(fields=["language", "msgid"], name="journey_wording_one_per_string")]

    def __str__(self):
        return f"{self.language}: {self.msgid[:60]}"
