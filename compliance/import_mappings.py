"""The column-mapping step every import shares: recognise a file's columns, ask a person for the rest, remember it.

After an upload the top of the file is read (a few dozen rows, so the request stays
quick whatever the file size). When every required field is found and no column is
left unexplained, the check is queued at once; otherwise the job waits in
"mapping" until a person says what each column is. A mapping saved "for next time"
belongs to the import kind and the layout's headings (``header_signature``) and is
used automatically for the next file with the same headings.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from compliance import leases, spreadsheets
from compliance.import_mapping_models import ImportMapping, can_use_import_kind
from compliance.spreadsheets import Analysis, Schema

# The header is looked for in the first 20 rows, and the preview shows the 5 under it.
TOP_ROWS = spreadsheets.HEADER_SEARCH_ROWS + spreadsheets.PREVIEW_ROWS + 10


def import_columns_analyse(
    *, schema: Schema, filename: str, content: bytes, actor, column_map: dict | None = None
) -> tuple[Analysis, ImportMapping | None]:
    """What the file's columns mean: the job's own mapping if it has one, else a saved mapping, else the aliases."""
    grid = spreadsheets.read_grid(filename, content, limit=TOP_ROWS)
    if column_map and column_map.get("headers") is not None:
        known = {
            spreadsheets.normalise_header(h): t or spreadsheets.IGNORE
            for h, t in zip(column_map["headers"], column_map["targets"], strict=False)
            if t is not None
        }
        return spreadsheets.analyse(grid, schema, saved=known), None
    analysis = spreadsheets.analyse(grid, schema)
    saved = ImportMapping.objects.restrict(actor, "view").filter(kind=schema.kind, signature=analysis.signature).first()
    if saved is not None:
        analysis = spreadsheets.analyse(grid, schema, saved=saved.columns)
    return analysis, saved


def column_map(analysis: Analysis, *, mapping: ImportMapping | None = None) -> dict:
    """What a job keeps: where the header is, the field each column gives, and the saved mapping used."""
    return {
        "header_line": analysis.header_line,
        "headers": analysis.headers,
        "targets": analysis.targets,
        "mapping_id": mapping.pk if mapping else None,
        "mapping_name": mapping.name if mapping else "",
    }


def import_job_start(job: leases.ImportJob, *, schema: Schema, content: bytes, actor, task) -> None:
    """After an upload: queue the check if the columns are understood, else wait for the mapping step."""
    try:
        analysis, saved = import_columns_analyse(schema=schema, filename=job.filename, content=content, actor=actor)
    except ValidationError:
        # An unreadable file: the check says why, with the other problems, on the job's page.
        leases.import_job_queue(job, task=task)
        return
    job.column_map = column_map(analysis, mapping=saved)
    if analysis.complete:
        type(job).objects.filter(pk=job.pk).update(column_map=job.column_map)
        leases.import_job_queue(job, task=task)
    else:
        job.status = leases.ImportStatus.MAPPING
        type(job).objects.filter(pk=job.pk).update(column_map=job.column_map, status=job.status)


def import_mapping_save(*, actor, kind: str, headers: list[str], targets: list[str], name: str) -> ImportMapping:
    """Save (or correct) the mapping of one spreadsheet layout for the next file with the same headings."""
    if not can_use_import_kind(actor, kind):
        raise PermissionDenied
    columns = {}
    for header, target in zip(headers, targets, strict=True):
        normal = spreadsheets.normalise_header(header)
        if normal:
            columns.setdefault(normal, target or spreadsheets.IGNORE)
    mapping, _created = ImportMapping.objects.update_or_create(
        kind=kind,
        signature=spreadsheets.header_signature(headers),
        defaults={"name": name.strip()[:100], "columns": columns, "updated_by": actor},
    )
    return mapping


def import_job_map(
    job: leases.ImportJob,
    *,
    schema: Schema,
    analysis: Analysis,
    targets: list[str],
    actor,
    save_as: str = "",
    task,
) -> leases.ImportJob:
    """Read the file with the columns a person mapped, optionally saving the mapping, and queue the check again."""
    if not can_use_import_kind(actor, schema.kind):
        raise PermissionDenied
    missing = schema.missing([t for t in targets if t])
    if missing:
        raise ValidationError("No column gives " + ", ".join(c.label for c in missing) + ".")
    with transaction.atomic():
        job = type(job).objects.select_for_update().get(pk=job.pk)
        if not job.can_map:
            raise ValidationError("This import is being checked or applied: its columns can no longer be changed.")
        mapping = None
        if save_as.strip():
            mapping = import_mapping_save(
                actor=actor, kind=schema.kind, headers=analysis.headers, targets=targets, name=save_as
            )
        mapped = spreadsheets.Analysis(
            header_line=analysis.header_line, headers=analysis.headers, targets=list(targets), missing=[]
        )
        job.column_map = column_map(mapped, mapping=mapping)
        job.status = leases.ImportStatus.CHECK_QUEUED
        job.errors, job.summary, job.row_count = [], {}, 0
        job.attempts, job.failure_reason, job.checked_at = 0, "", None
        job.save(
            update_fields=[
                "column_map",
                "status",
                "errors",
                "summary",
                "row_count",
                "attempts",
                "failure_reason",
                "checked_at",
            ]
        )
        leases.import_job_queue(job, task=task)
    return job
