"""Changes to cases are recorded by django-auditlog; reads go to the access log."""

from auditlog.registry import auditlog

from compliance.encryption import encrypted_fields
from safeguarding.models import Attachment, Concern, CqcNotification, FirstResponder, IdentityGrant, Redaction, Referral

# The change log is readable in the Django admin, so who reported and what
# they wrote stay out of it: they live only behind the case permission checks.
# Encrypted fields (compliance/encryption.py) are left out too: the change log is
# stored in clear, so auditing them would undo their encryption at rest.
auditlog.register(
    Concern,
    exclude_fields=["receipt_code_hash", "updated_at", "reporter", *(f.name for f in encrypted_fields(Concern))],
)
auditlog.register(Referral, exclude_fields=[f.name for f in encrypted_fields(Referral)])
auditlog.register(IdentityGrant, exclude_fields=[f.name for f in encrypted_fields(IdentityGrant)])
auditlog.register(Attachment, exclude_fields=["file", *(f.name for f in encrypted_fields(Attachment))])
auditlog.register(Redaction, exclude_fields=[f.name for f in encrypted_fields(Redaction)])
auditlog.register(CqcNotification)
# The Compliance admin keeps the list of first responders: who changed it is on record.
auditlog.register(FirstResponder)
