"""Change history for bulk writes: bulk_create/bulk_update send no signals, so django-auditlog sees nothing.

Imports write thousands of rows in a few statements; this records the same
LogEntry rows the per-row save would have recorded (create with every field
that has a value, update with the fields that changed), in one insert.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditlog.cid import get_cid
from auditlog.diff import get_field_value, model_instance_diff, track_field
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.utils.encoding import smart_str

from compliance.models import User


def tracked_fields(model: type[Model]) -> tuple[list, bool]:
    """The row's own columns auditlog records for this model, and whether any is masked."""
    settings = auditlog.get_model_fields(model)
    fields = [f for f in model._meta.concrete_fields if track_field(f)]
    if settings["include_fields"]:
        fields = [f for f in fields if f.name in settings["include_fields"]]
    if settings["exclude_fields"]:
        fields = [f for f in fields if f.name not in settings["exclude_fields"]]
    return fields, bool(settings["mask_fields"])


def create_diff(after: Model, fields: list) -> dict:
    # What model_instance_diff(None, after) gives: "None" before (auditlog reads no default for
    # a new row), the value after, for every field that has one; at half the cost and without
    # reading reverse one-to-one relations (a query each).
    diff = {}
    for field in fields:
        value = get_field_value(after, field)
        if value != "None":
            diff[field.name] = ("None", smart_str(value))
    return diff


def audit_log_bulk(*, changes: Iterable[tuple[Model | None, Model]], actor: User | None) -> int:
    """Record (before, after) pairs as auditlog entries in bulk; before None means created."""
    cid = get_cid()
    entries = []
    per_model: dict[type, tuple[list, bool, set[str]]] = {}
    for before, after in changes:
        model = type(after)
        if model not in per_model:
            fields, masked = tracked_fields(model)
            concrete = model._meta.concrete_fields
            per_model[model] = (fields, masked, {f.name for f in concrete} | {f.attname for f in concrete})
        fields, masked, names = per_model[model]
        if before is None and not masked:
            diff = create_diff(after, fields)
        else:
            diff = model_instance_diff(before, after, fields_to_check=names)
        if not diff:
            continue
        entries.append(
            LogEntry(
                content_type=ContentType.objects.get_for_model(after),
                object_pk=str(after.pk),
                object_id=after.pk,
                object_repr=smart_str(after),
                action=LogEntry.Action.CREATE if before is None else LogEntry.Action.UPDATE,
                changes=diff,
                actor=actor,
                actor_email=getattr(actor, "email", None),
                cid=cid,
            )
        )
    LogEntry.objects.bulk_create(entries, batch_size=1000)
    return len(entries)
