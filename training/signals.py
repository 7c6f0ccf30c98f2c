"""Assign courses when someone joins a role (in the admin, an import or a role change), and retire
cached completion figures when anything they count changes."""

from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save

from compliance.figure_cache import figures_changed
from compliance.models import Department, User
from training.models import AssignmentRule, Course, TrainingRecord

# The namespace of every figure built on completion_standings (training.selectors).
TRAINING_FIGURES = "training"

# The person fields completion reads: who is staff on a date, and how the figures are grouped;
# and the name and email, which the records list's cached counts are searched by.
_PERSON_FIELDS = {
    "full_name",
    "email",
    "start_date",
    "left_on",
    "is_active",
    "department",
    "department_id",
    "employment_type",
    "line_manager",
    "line_manager_id",
}


def _on_groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action != "post_add" or not pk_set:
        return
    from training.services import assignments_apply

    # In the same transaction as the role change, so the two never disagree.
    assignments_apply(users=User.objects.filter(pk__in=pk_set) if reverse else [instance])


def _retire_figures(sender, update_fields=None, **kwargs):
    # A sign-in saves last_login only: that changes no figure, and it happens all day.
    if sender is User and update_fields is not None and not set(update_fields) & _PERSON_FIELDS:
        return
    figures_changed(TRAINING_FIGURES)


def _retire_figures_on_roles(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        figures_changed(TRAINING_FIGURES)


def connect():
    m2m_changed.connect(_on_groups_changed, sender=User.groups.through, dispatch_uid="training_assign_on_role_join")
    # Group: the roles' group ids are cached (training.selectors.role_group_id).
    for model in (TrainingRecord, AssignmentRule, Course, User, Department, Group):
        name = model._meta.label_lower
        post_save.connect(_retire_figures, sender=model, dispatch_uid=f"training_figures_on_save_{name}")
        post_delete.connect(_retire_figures, sender=model, dispatch_uid=f"training_figures_on_delete_{name}")
    m2m_changed.connect(
        _retire_figures_on_roles, sender=User.groups.through, dispatch_uid="training_figures_on_role_change"
    )
