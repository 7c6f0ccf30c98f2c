"""Which reporting models django-auditlog records changes for."""

from auditlog.registry import auditlog

from reporting.models import ActionPlanItem, GovernanceMeeting, RiskRegisterEntry, RiskRegisterReview, Statement

auditlog.register(Statement)
auditlog.register(RiskRegisterEntry)
auditlog.register(RiskRegisterReview)
auditlog.register(GovernanceMeeting)
auditlog.register(ActionPlanItem)
