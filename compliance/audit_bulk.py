"""Change history for bulk writes: bulk_create/bulk_update send no signals, so django-auditlog sees nothing.

Imports write thousands of rows in a few statements; this records the same
LogEntry rows the per-row save would have recorded (create with every field,
update with the fields that changed), in one insert.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditlog.cid import get_cid
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.utils.encoding import smart_str

from compliance.models import User


def audit_log_bulk(*, changes: Iterable[tuple[Model | None, Model]], actor: User | None) -> int:
    """Record (before, after) pairs as auditlog entries in bulk; before None means created."""
    cid = get_cid()
    entries = []
    for before, after in changes:
        diff = model_instance_diff(before, after)
        if not diff:
            continue
        entries.append(
            LogEntry(
                content_type=ContentType.objects.get_for_model(after),
                object_pk=str(after.pk),
                object_id=after.pk,
                object_repr=smart_str(after)[:1000],
                action=LogEntry.Action.CREATE if before is None else LogEntry.Action.UPDATE,
                changes=diff,
                actor=actor,
                actor_email=getattr(actor, "email", None),
                cid=cid,
            )
        )
    LogEntry.objects.bulk_create(entries, batch_size=1000)
    return len(entries)
