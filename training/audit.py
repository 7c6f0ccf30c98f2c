"""Changes to training, recruitment checks and policies are kept by django-auditlog."""

from auditlog.registry import auditlog

from compliance.policy_models import Acknowledgement, Policy, PolicyVersion
from training.models import AssignmentRule, Course, RecruitmentCheck, TrainingRecord

auditlog.register(Course)
auditlog.register(AssignmentRule)
auditlog.register(TrainingRecord)
auditlog.register(RecruitmentCheck)
auditlog.register(Policy)
auditlog.register(PolicyVersion)
auditlog.register(Acknowledgement)
