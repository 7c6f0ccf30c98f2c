"""Supplier code of conduct: versions with the anti-slavery clauses and acceptances."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from suppliers.models.querysets import RegisterQuerySet


class CodeOfConduct(models.Model):
    """One version of the supplier code of conduct."""

    version = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200, default="Supplier code of conduct")
    clauses = models.TextField(help_text="The anti-slavery clauses suppliers accept, one paragraph each.")
    effective_from = models.DateField()
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from", "-pk"]
        verbose_name = "code of conduct version"

    def __str__(self):
        return f"{self.title} v{self.version}"


class CodeOfConductAcceptance(models.Model):
    """A supplier accepted a version: who signed for them and when."""

    class Source(models.TextChoices):
        RECORDED = "recorded", "Recorded by staff"
        PORTAL = "portal", "Accepted via the supplier portal"

    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="conduct_acceptances")
    code = models.ForeignKey(CodeOfConduct, on_delete=models.PROTECT, related_name="acceptances")
    accepted_on = models.DateField()
    signed_by_name = models.CharField("Signed by", max_length=200)
    signed_by_role = models.CharField("Signatory's job title", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.RECORDED)
    # Portal acceptances: the moment and the address the contact accepted from (the
    # address as compliance.services.client_ip reads it behind our proxies).
    accepted_at = models.DateTimeField(null=True, blank=True)
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    portal_link = models.ForeignKey(
        "suppliers.SupplierPortalLink", null=True, blank=True, on_delete=models.SET_NULL, related_name="acceptances"
    )

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["-accepted_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["supplier", "code"], name="one_acceptance_per_version")]

    def __str__(self):
        return f"{self.supplier} accepted {self.code}"
