"""Changes to cases are recorded by django-auditlog; reads go to the access log."""

from auditlog.registry import auditlog

from safeguarding.models import Attachment, Concern, IdentityGrant, Referral

# The change log is readable in the Django admin, so who reported and what
# they wrote stay out of it: they live only behind the case permission checks.
auditlog.register(
    Concern,
    exclude_fields=["receipt_code_hash", "updated_at", "reporter", "on_behalf_of", "reporter_contact", "narrative"],
)
auditlog.register(Referral)
auditlog.register(IdentityGrant)
auditlog.register(Attachment, exclude_fields=["file", "original_name"])
