"""Assign courses when someone joins a role (in the admin, an import or a role change)."""

from django.db.models.signals import m2m_changed

from compliance.models import User


def _on_groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action != "post_add" or not pk_set:
        return
    from training.services import assignments_apply

    # In the same transaction as the role change, so the two never disagree.
    assignments_apply(users=User.objects.filter(pk__in=pk_set) if reverse else [instance])


def connect():
    m2m_changed.connect(_on_groups_changed, sender=User.groups.through, dispatch_uid="training_assign_on_role_join")
