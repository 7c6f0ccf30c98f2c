"""The supplier portal: one expiring link per supplier contact, and the certificates contacts upload through it.

A supplier contact has no account: the link's token is their only credential,
so only its SHA-256 is stored (suppliers.models.questionnaire.token_digest), it
expires, procurement can revoke it, and issuing a new one revokes the old.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from suppliers.models.querysets import RegisterQuerySet


class SupplierPortalLinkQuerySet(RegisterQuerySet):
    def working(self, now=None):
        """Links that open the portal now: not revoked, not expired, and the supplier not terminated.

        The one definition of a working link: the token lookup, the session check
        and the supplier page's status all read it.
        """
        from suppliers.models.register import Supplier

        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now()).exclude(
            supplier__status=Supplier.Status.TERMINATED
        )


class SupplierPortalLink(models.Model):
    """A supplier contact's link to the portal (code of conduct, certificates, questionnaires)."""

    class Status(models.TextChoices):
        WORKING = "working", "Working"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="portal_links")
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_opened_at = models.DateTimeField(null=True, blank=True)

    objects = SupplierPortalLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = "supplier portal link"

    def __str__(self):
        return f"Portal link for {self.contact_name} <{self.contact_email}>"

    @property
    def status(self) -> str:
        # A terminated supplier's link also stops working (see working()), shown by the supplier's own status.
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.WORKING

    def get_status_display(self) -> str:
        return self.Status(self.status).label


class SupplierCertificate(models.Model):
    """A certificate or piece of evidence a supplier gave us, with the dates it is valid between."""

    class Kind(models.TextChoices):
        ETHICAL_AUDIT = "ethical_audit", "Ethical trade audit report (e.g. SMETA)"
        # NHS suppliers: the Labour Standards Assurance System certificate, levels 1-4, with an expiry.
        LSAS = "lsas", "Labour Standards Assurance System (LSAS) certificate"
        # Labour providers supplying agriculture, forestry, horticulture, shellfish gathering or food
        # processing and packaging need a GLAA licence (Gangmasters (Licensing) Act 2004;
        # https://www.gov.uk/gangmasters-licensing-authority), so their licence is evidence worth keeping.
        GLAA_LICENCE = "glaa_licence", "GLAA licence"
        SA8000 = "sa8000", "SA8000 or other social accountability certificate"
        POLICY = "policy", "Modern slavery or human rights policy"
        STATEMENT = "statement", "Modern slavery statement"
        OTHER = "other", "Other evidence"

    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="certificates")
    kind = models.CharField("Type", max_length=30, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(max_length=200)
    issued_on = models.DateField("Issued on", null=True, blank=True)
    expires_on = models.DateField("Expires on", null=True, blank=True, db_index=True)
    document = models.ForeignKey("suppliers.SupplierDocument", on_delete=models.PROTECT, related_name="+")
    uploaded_via = models.ForeignKey(
        SupplierPortalLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="certificates"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    # Set by the daily expiry task (suppliers.services.portal.certificate_expiry_run), so it acts once.
    expiry_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    expired_flagged_at = models.DateTimeField(null=True, blank=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["expires_on", "-uploaded_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def is_expired(self) -> bool:
        # Valid through its expiry date; expired from the day after.
        return self.expires_on is not None and self.expires_on < timezone.localdate()
