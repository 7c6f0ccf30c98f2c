"""Changes to cases are recorded by django-auditlog; reads go to the access log."""

from auditlog.registry import auditlog

from safeguarding.models import Attachment, Concern, IdentityGrant, Referral

# The hash is not a secret, but nobody needs it in a change log.
auditlog.register(Concern, exclude_fields=["receipt_code_hash", "updated_at"])
auditlog.register(Referral)
auditlog.register(IdentityGrant)
auditlog.register(Attachment, exclude_fields=["file"])
