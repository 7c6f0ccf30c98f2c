"""Which models django-auditlog records changes for (reads go to AccessLog)."""

from auditlog.registry import auditlog
from django.contrib.auth.models import Group

from compliance.models import Department, LegalEntity, Organisation, Site, User

auditlog.register(
    User,
    exclude_fields=["password", "last_login"],
    m2m_fields={"groups"},
)
auditlog.register(Group, m2m_fields={"permissions"})
auditlog.register(Organisation)
auditlog.register(LegalEntity)
auditlog.register(Department)
auditlog.register(Site)
