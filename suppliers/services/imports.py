"""Register import (CSV/XLSX, dry run first, all or nothing) and export."""

from __future__ import annotations

import copy
import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django_countries import countries as country_registry

from compliance import import_mappings, leases, spreadsheets
from compliance.audit_bulk import audit_log_bulk
from compliance.models import User
from suppliers import scoring
from suppliers.figures import register_figures_changed
from suppliers.models import (
    SUPPLIER_CONTACT_FIELDS,
    SUPPLIER_DETAIL_FIELDS,
    RiskAssessment,
    RiskBand,
    Supplier,
    SupplierEvent,
    SupplierImport,
)
from suppliers.services import procurement as procurement_services
from suppliers.services.register import (
    REVIEW_INTERVAL_DAYS,
    register_manager_check,
    risk_assessment_build,
    risk_change_message,
    risk_high_notify,
    supplier_has_current_enhanced_checks,
)

SUPPLIER_FIELD_NAMES = {f.name for f in Supplier._meta.get_fields()}
# An agency's checks are a dated, positive record of who checked what (policy 4.3), made on its
# Agency checks page; a spreadsheet cell cannot make one. The two columns older files carried keep
# their place so those files and exports still line up, but the export leaves them empty and the
# import refuses a row that fills one in for an agency (or says "yes" for anyone), naming the page.
LEGACY_AGENCY_COLUMNS = ("agency_charges_worker_fees", "agency_retains_id_documents")
# The file's columns: the register details (the contract owner by email), the old agency columns and the status.
COLUMNS = [
    *("contract_owner_email" if name == "contract_owner" else name for name in SUPPLIER_DETAIL_FIELDS),
    *LEGACY_AGENCY_COLUMNS,
    "status",
    *SUPPLIER_CONTACT_FIELDS,
]
BOOLEAN_COLUMNS = {
    name
    for name in COLUMNS
    if name in SUPPLIER_FIELD_NAMES and Supplier._meta.get_field(name).get_internal_type() == "BooleanField"
}
# What people call the columns in their own spreadsheets (compared after spreadsheets.normalise_header,
# so case, punctuation, "(£)" and "no." do not matter). A column without an entry is known by its
# key ("registration_number") and its label.
ALIASES = {
    "name": (
        "Supplier name", "Supplier", "Company", "Company name", "Organisation", "Organisation name",
        "Business name", "Vendor", "Vendor name", "Legal name", "Trading name",
    ),
    "registration_number": (
        "Companies House number", "Company number", "Company registration number", "Registration number",
        "Registered number", "CRN", "Company reg number", "Reg number", "Companies House", "Charity number",
    ),
    "category": ("Category", "Sector", "Category of supply", "Spend category", "Type of supply"),
    "countries": ("Country", "Countries of operation", "Country of operation", "Countries"),
    "annual_spend": ("Annual spend", "Spend", "Annual value", "Yearly spend", "Spend per year", "Annual spend GBP"),
    "contract_owner_email": ("Contract owner", "Contract owner email", "Contract manager", "Contract manager email"),
    "contract_start": ("Contract start", "Contract start date", "Start date", "Contract from"),
    "contract_end": ("Contract end", "Contract end date", "End date", "Contract expiry", "Contract expiry date"),
    "uses_agency_labour": ("Uses agency labour", "Agency labour", "Uses agency workers"),
    "subcontracts": ("Subcontracts", "Uses subcontractors", "Subcontracting"),
    "migrant_workforce": ("Migrant workforce", "Migrant workers"),
    "on_site_at_our_premises": ("On site at our premises", "On site", "Works on our premises"),
    "is_recruitment_agency": ("Recruitment agency", "Recruitment or staffing agency", "Staffing agency"),
    # Recognised so that a filled-in cell is refused with the reason, not left unmapped.
    "agency_charges_worker_fees": ("Charges workers fees", "Charges worker fees", "Agency charges fees"),
    "agency_retains_id_documents": ("Retains ID documents", "Retains identity documents", "Holds passports"),
    "status": ("Status", "Supplier status"),
    "contact_name": ("Contact name", "Contact", "Main contact", "Primary contact"),
    "contact_email": ("Contact email", "Contact email address", "Email", "Email address"),
}  # fmt: skip


def _column_label(key: str) -> str:
    if key == "contract_owner_email":
        return "Contract owner (email)"
    if key in SUPPLIER_FIELD_NAMES:
        label = str(Supplier._meta.get_field(key).verbose_name)
        return label[:1].upper() + label[1:]
    return key.replace("_", " ").capitalize()


SCHEMA = spreadsheets.Schema(
    kind=spreadsheets.ImportKind.SUPPLIERS,
    columns=tuple(
        spreadsheets.Column(key, _column_label(key), ALIASES.get(key, ()), required=key in ("name", "category"))
        for key in COLUMNS
    ),
    # The register export's own columns after the import's: read back, they are worked out again.
    ignored=("risk_score", "risk_band", "Risk score", "Risk band", *procurement_services.EXPORT_COLUMNS),
)
TRUE = {"yes", "y", "true", "1"}
FALSE = {"no", "n", "false", "0", ""}
# The check and the apply run in a worker under a lease, not in a web request, so the limit is the
# worker's time limit (10 min) with a wide margin: 20,000 rows apply in well under two minutes.
MAX_ROWS = 20_000
# Rows between two progress reports (the heartbeat thread publishes the latest one).
PROGRESS_EVERY = 100
# Rows written per bulk statement.
BATCH_SIZE = 500


@dataclass
class RowError:
    line: int
    field: str
    reason: str


@dataclass
class ImportReport:
    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # The file's fields in column order, to list a line's errors left to right.
    column_order: list[str] = field(default_factory=list)
    to_create: int = 0
    to_update: int = 0  # rows that change a supplier
    unchanged: int = 0  # rows that match a supplier exactly: written as nothing
    refused: int = 0  # rows with at least one problem

    def summary(self) -> dict:
        """Added, changed, unchanged, refused: what the page tells before and after the import."""
        return {
            "to_create": self.to_create,
            "to_update": self.to_update,
            "unchanged": self.unchanged,
            "refused": self.refused,
        }

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def _read_rows(
    filename: str, content: bytes, column_map: dict | None, report: ImportReport
) -> list[tuple[int, dict]] | None:
    """(spreadsheet line, {column: text}) for each data row, or None with the header problem in the report.

    ``column_map`` is the job's mapping (header line and a field per file column) once
    a person has mapped the columns; without one the headers are matched by their aliases.
    """
    grid = spreadsheets.read_grid(filename, content)
    if column_map:
        header_line, targets = column_map["header_line"], column_map["targets"]
    else:
        analysis = spreadsheets.analyse(grid, SCHEMA)
        header_line, targets = analysis.header_line, analysis.targets
        if analysis.missing:
            report.errors.append(
                RowError(analysis.header_line, "header", "Missing column(s): " + _labels(analysis.missing))
            )
            return None
    report.column_order = _column_order(targets)
    return spreadsheets.rows(grid, SCHEMA, header_line=header_line, targets=targets)


def _labels(columns) -> str:
    return ", ".join(c.label for c in columns)


def _column_order(targets: list[str | None]) -> list[str]:
    order = ["file", "header"]
    for target in targets:
        if target:
            order.append(target)
            part_of = SCHEMA.column(target).part_of
            if part_of:
                order.append(part_of)
    return order


@functools.lru_cache(maxsize=2048)
def _country_code(text: str) -> str | None:
    # Cached: a register names the same few countries thousands of times, and each lookup walks ~250 names.
    text = text.strip()
    if not text:
        return None
    if text.upper() in dict(country_registry):
        return text.upper()
    code = country_registry.by_name(text)
    return code or None


def _register_matches(rows: list[tuple[int, dict]]) -> tuple[dict[str, Supplier], dict[str, Supplier]]:
    """The suppliers the file can match, by registration number and by lower-case name.

    Only those named in the file are read, in chunks: reading the whole register
    cost seconds per check on a register of tens of thousands.
    """
    numbers = sorted({raw.get("registration_number", "") for _line, raw in rows} - {""})
    names = sorted({raw.get("name", "").lower() for _line, raw in rows} - {""})
    by_number: dict[str, Supplier] = {}
    by_name: dict[str, Supplier] = {}
    for start in range(0, len(numbers), 1000):
        for s in Supplier.objects.filter(registration_number__in=numbers[start : start + 1000]):
            by_number[s.registration_number] = s
    for start in range(0, len(names), 1000):
        matches = Supplier.objects.annotate(lower_name=Lower("name")).filter(lower_name__in=names[start : start + 1000])
        for s in matches.order_by("pk"):
            by_name[s.name.lower()] = s
    return by_number, by_name


def import_validate(
    *,
    filename: str,
    content: bytes,
    column_map: dict | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Check every row and report every problem (line, field, reason) in line order; changes nothing."""
    report = ImportReport()
    try:
        rows = _read_rows(filename, content, column_map, report)
    except ValidationError as exc:
        report.errors.append(RowError(1, "file", "; ".join(exc.messages)))
        return report
    if rows is None:
        return report
    if not rows:
        report.errors.append(RowError(1, "file", "The file has no rows under the header."))
        return report
    if len(rows) > MAX_ROWS:
        report.errors.append(RowError(1, "file", f"At most {MAX_ROWS} rows per import."))
        return report
    _validate_rows(rows, report, progress)
    # Checks run field by field; a person fixes the file line by line, left to right.
    order = {key: n for n, key in enumerate(report.column_order)}
    report.errors.sort(key=lambda e: (e.line, order.get(e.field, len(order))))
    return report


def _validate_rows(rows: list[tuple[int, dict]], report: ImportReport, progress) -> None:

    owners = {u.email.lower(): u.pk for u in User.objects.filter(is_active=True)}
    by_number, by_name = _register_matches(rows)
    tables = scoring.Tables.load()
    seen_keys: dict[str, int] = {}
    categories = dict(Supplier.Category.choices)
    label_to_category = {label.lower(): value for value, label in Supplier.Category.choices}
    statuses = dict(Supplier.Status.choices)

    category_labels = [label for _value, label in Supplier.Category.choices]
    status_labels = [value for value, _label in Supplier.Status.choices]
    for index, (line, raw) in enumerate(rows):
        if progress and index % PROGRESS_EVERY == 0:
            progress(index, len(rows))
        errors: list[RowError] = []
        data: dict = {}

        def err(column, reason, _line=line, _errors=errors):
            _errors.append(RowError(_line, column, reason))

        name = raw.get("name", "")
        if not name:
            err("name", "required")
        elif len(name) > 255:
            err("name", "longer than 255 characters")
        data["name"] = name
        number = raw.get("registration_number", "")
        if len(number) > 20:
            err("registration_number", "longer than 20 characters")
        data["registration_number"] = number
        category = raw.get("category", "").strip()
        category = (
            category.lower() if category.lower() in categories else label_to_category.get(category.lower(), category)
        )
        if category not in categories:
            err("category", "Unknown category " + spreadsheets.one_of(raw.get("category", ""), category_labels))
        data["category"] = category
        codes = []
        for part in [p for p in raw.get("countries", "").replace(",", ";").split(";") if p.strip()]:
            code = _country_code(part)
            if code is None:
                err("countries", f"unknown country '{part.strip()}'")
            else:
                codes.append(code)
        data["countries"] = codes
        spend_text = raw.get("annual_spend", "").replace(",", "").replace("£", "").strip() or "0"
        try:
            spend = Decimal(spend_text)
            if spend < 0 or spend >= Decimal("1e12"):
                raise InvalidOperation
            data["annual_spend"] = spend.quantize(Decimal("0.01"))
        except InvalidOperation:
            err("annual_spend", f"not an amount: '{raw.get('annual_spend', '')}'")
        owner_email = raw.get("contract_owner_email", "").lower()
        data["contract_owner_id"] = None
        if owner_email:
            if owner_email not in owners:
                err("contract_owner_email", f"no active user with the email {owner_email}")
            else:
                data["contract_owner_id"] = owners[owner_email]
        for column in ("contract_start", "contract_end"):
            try:
                data[column] = spreadsheets.parse_date(raw.get(column, ""))
            except ValueError as exc:
                err(column, str(exc))
        if data.get("contract_start") and data.get("contract_end") and data["contract_end"] < data["contract_start"]:
            err("contract_end", "before the contract start")
        for column in BOOLEAN_COLUMNS:
            value = raw.get(column, "").strip().lower()
            if value in TRUE:
                data[column] = True
            elif value in FALSE:
                data[column] = False
            else:
                err(column, f"'{raw.get(column)}' is not yes or no")
        is_agency = data.get("is_recruitment_agency") or category == Supplier.Category.AGENCY_STAFFING
        for column in LEGACY_AGENCY_COLUMNS:
            value = raw.get(column, "").strip()
            # A "no" on a supplier that is no agency says nothing (older exports wrote one on every row).
            if value and (is_agency or value.lower() not in FALSE):
                err(
                    column,
                    "agency checks cannot be imported: record them, with the evidence, on the supplier's "
                    "Agency checks page (leave this column empty)",
                )
        status = raw.get("status", "").strip().lower()
        if status and status not in statuses:
            err("status", "Unknown status " + spreadsheets.one_of(raw.get("status", ""), status_labels))
        data["status"] = status
        data["contact_name"] = raw.get("contact_name", "")[:200]
        contact_email = raw.get("contact_email", "")
        if contact_email:
            try:
                validate_email(contact_email)
            except ValidationError:
                err("contact_email", f"not an email address: '{contact_email}'")
        data["contact_email"] = contact_email

        key = number or name.lower()
        if key and key in seen_keys:
            err("registration_number" if number else "name", f"duplicate of line {seen_keys[key]}")
        seen_keys[key] = line

        existing = (by_number.get(number) if number else None) or (by_name.get(name.lower()) if name else None)
        # Status changes go through the supplier's page (activate, suspend, terminate), whose service
        # checks the gates, records the reason and sets the typed dates; the import may not change them.
        if existing is not None:
            if data["status"] and data["status"] != existing.status:
                err(
                    "status",
                    f"the import cannot change a supplier's status ({existing.status} to {data['status']}): "
                    "use the supplier's page",
                )
            data["status"] = existing.status
        elif data["status"] in (Supplier.Status.SUSPENDED, Supplier.Status.TERMINATED):
            err("status", f"a new supplier cannot be imported as {data['status']}: use the supplier's page")
        else:
            data["status"] = data["status"] or Supplier.Status.PROSPECTIVE
        if not errors and data["status"] == Supplier.Status.ACTIVE:
            candidate = existing or Supplier()
            for k, v in data.items():
                setattr(candidate, k, v)
            if candidate.category == Supplier.Category.AGENCY_STAFFING:
                candidate.is_recruitment_agency = True
            if candidate.is_prohibited_agency:
                err("status", "a prohibited recruitment agency (fees or ID documents) cannot be active")
            elif (existing is None or existing.status != Supplier.Status.ACTIVE) and candidate.agency_check_gaps():
                err(
                    "status",
                    "a recruitment agency cannot be imported as active without current positive checks ("
                    + "; ".join(candidate.agency_check_gaps())
                    + "): import it as prospective and record the checks on its page",
                )
            elif existing is None or existing.status != Supplier.Status.ACTIVE:
                band = scoring.supplier_score(candidate, tables=tables).band
                if band == RiskBand.HIGH and (existing is None or not supplier_has_current_enhanced_checks(existing)):
                    err("status", "high risk without enhanced due diligence: import it as prospective")
        if errors:
            report.errors.extend(errors)
            report.refused += 1
            continue
        if data["category"] == Supplier.Category.AGENCY_STAFFING:
            # As the write does: supplying agency staff makes it an agency, whatever the column says.
            data["is_recruitment_agency"] = True
        data["_line"] = line
        data["_existing_id"] = existing.pk if existing else None
        report.rows.append(data)
        if existing is None:
            report.to_create += 1
        elif supplier_changed_fields(existing, data):
            report.to_update += 1
        else:
            report.unchanged += 1


def supplier_changed_fields(supplier: Supplier, data: dict) -> list[str]:
    """The fields an import row would change on a supplier, comparing the normalised values it writes."""
    return [
        k
        for k, v in data.items()
        if not k.startswith("_")
        and getattr(supplier, k) != v
        and not (k == "countries" and [c.code for c in supplier.countries] == v)
    ]


def import_apply(
    *, actor: User, filename: str, content: bytes, progress: Callable[[int, int], None] | None = None
) -> ImportReport:
    """Validate again and, only if every row is good, write them all in one transaction."""
    register_manager_check(actor)
    report = import_validate(filename=filename, content=content)
    if not report.ok:
        return report
    with transaction.atomic():
        _write_rows(report.rows, actor=actor, progress=progress)
    return report


def _write_rows(rows: list[dict], *, actor: User, progress: Callable[[int, int], None] | None = None) -> None:
    """Write checked rows with bulk statements, recording per supplier what a single edit records.

    Each supplier gets its "import" event, its risk assessment (and "risk" event
    when the band changes, a notification when it becomes high) and its change
    history, exactly as the one-row services do, but in a few statements per
    batch instead of a dozen per row.
    """
    tables = scoring.Tables.load()
    for start in range(0, len(rows), BATCH_SIZE):
        if progress:
            progress(start, len(rows))
        _write_batch(rows[start : start + BATCH_SIZE], actor=actor, tables=tables)


def _write_batch(rows: list[dict], *, actor: User, tables: scoring.Tables) -> None:
    now = timezone.now()
    review_due = now.date() + datetime.timedelta(days=REVIEW_INTERVAL_DAYS)
    existing = Supplier.objects.select_for_update().in_bulk([d["_existing_id"] for d in rows if d["_existing_id"]])
    created: list[Supplier] = []
    updated: list[tuple[Supplier, Supplier, list[str]]] = []  # (before, after, changed fields)
    messages: dict[int, str] = {}  # id(supplier) -> import event message
    for data in rows:
        data = dict(data)
        line = data.pop("_line")
        existing_id = data.pop("_existing_id")
        if existing_id:
            supplier = existing[existing_id]
            changed = supplier_changed_fields(supplier, data)
            if not changed:
                continue
            before = copy.copy(supplier)
            message = f"Updated by import (line {line}): {', '.join(changed)}."
        else:
            supplier = Supplier()
            before, changed = None, []
            message = f"Added by import (line {line})."
        for k, v in data.items():
            setattr(supplier, k, v)
        if supplier.category == Supplier.Category.AGENCY_STAFFING:
            supplier.is_recruitment_agency = True
        # As full_clean() minus what costs most per row and was checked already: unique and check
        # constraints (the database enforces them; a query each here) and the countries (each code
        # was matched against the registry by import_validate; re-validating walks ~250 names).
        supplier.clean_fields(exclude=["countries"])
        supplier.clean()
        messages[id(supplier)] = message
        if before is None:
            created.append(supplier)
        else:
            updated.append((before, supplier, changed))

    # Score before writing: a new supplier has no findings or questionnaire yet, so no query is needed.
    scores: dict[int, scoring.Score] = {}
    previous_band: dict[int, str] = {}
    for supplier in created + [after for _before, after, _changed in updated]:
        previous_band[id(supplier)] = supplier.risk_band
        result = scoring.supplier_score(supplier, tables=tables)
        scores[id(supplier)] = result
        supplier.risk_score, supplier.risk_band, supplier.risk_assessed_at = result.score, result.band, now
        supplier.next_review_due = supplier.next_review_due or review_due

    Supplier.objects.bulk_create(created, batch_size=BATCH_SIZE)
    if updated:
        fields = sorted(
            {f for _b, _a, changed in updated for f in changed}
            | {"is_recruitment_agency", "risk_score", "risk_band", "risk_assessed_at", "next_review_due"}
        )
        Supplier.objects.bulk_update([a for _b, a, _c in updated], fields, batch_size=BATCH_SIZE)
    register_figures_changed()  # bulk writes send no post_save

    written = created + [a for _b, a, _c in updated]
    events: list[SupplierEvent] = []
    assessments: list[RiskAssessment] = []
    for supplier in written:
        result = scores[id(supplier)]
        events.append(
            SupplierEvent(
                supplier=supplier, kind=SupplierEvent.Kind.IMPORT, message=messages[id(supplier)], actor=actor
            )
        )
        assessments.append(
            risk_assessment_build(supplier=supplier, result=result, actor=actor, at=now, reason="Imported")
        )
        previous = previous_band[id(supplier)]
        if previous != result.band:
            events.append(
                SupplierEvent(
                    supplier=supplier,
                    kind=SupplierEvent.Kind.RISK,
                    message=risk_change_message(previous_band=previous, result=result, reason="Imported"),
                    actor=actor,
                )
            )
    SupplierEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
    RiskAssessment.objects.bulk_create(assessments, batch_size=BATCH_SIZE)
    audit_log_bulk(changes=[(None, s) for s in created] + [(b, a) for b, a, _c in updated], actor=actor)
    for supplier, assessment in zip(written, assessments, strict=True):
        if assessment.band == RiskBand.HIGH and previous_band[id(supplier)] != RiskBand.HIGH:
            risk_high_notify(supplier=supplier, assessment=assessment)


# --- The import as a background job ---------------------------------------------------


def _errors_as_dicts(report: ImportReport) -> list[dict]:
    return [{"line": e.line, "field": e.field, "message": e.reason} for e in report.errors]


def supplier_import_upload(*, actor: User, filename: str, content: bytes) -> SupplierImport:
    """Keep an uploaded register file and queue its check; nothing in the register changes."""
    from suppliers.tasks import supplier_import_check_task

    register_manager_check(actor)
    with transaction.atomic():
        job = SupplierImport.objects.create(filename=filename[:255], content=content, uploaded_by=actor)
        # Queued at once when every column is understood; otherwise the job waits for the mapping step.
        import_mappings.import_job_start(
            job, schema=SCHEMA, content=content, actor=actor, task=supplier_import_check_task
        )
    return job


def supplier_import_columns(*, job: SupplierImport, actor: User) -> tuple[spreadsheets.Analysis, object]:
    """The file's columns as the mapping page shows them, with the saved mapping that named them, if any."""
    register_manager_check(actor)
    return import_mappings.import_columns_analyse(
        schema=SCHEMA, filename=job.filename, content=bytes(job.content), actor=actor, column_map=job.column_map
    )


def supplier_import_map(
    *, job: SupplierImport, actor: User, analysis: spreadsheets.Analysis, targets: list[str], save_as: str = ""
) -> SupplierImport:
    """Read the file with the columns a person mapped (saved for next time if named) and check it again."""
    from suppliers.tasks import supplier_import_check_task

    register_manager_check(actor)
    return import_mappings.import_job_map(
        job,
        schema=SCHEMA,
        analysis=analysis,
        targets=targets,
        actor=actor,
        save_as=save_as,
        task=supplier_import_check_task,
    )


def supplier_import_check(*, job_id: int) -> SupplierImport | None:
    """The dry run, in a worker: every problem by line and column, with progress."""

    def check(job: SupplierImport, heartbeat: leases.Heartbeat):
        report = import_validate(
            filename=job.filename,
            content=bytes(job.content),
            column_map=job.column_map or None,
            progress=heartbeat.progress,
        )
        return _errors_as_dicts(report), len(report.rows), report.summary()

    return leases.import_job_run_check(SupplierImport, job_id, check=check)


def supplier_import_confirm(*, job: SupplierImport, actor: User) -> SupplierImport:
    """Queue a clean, checked import to be applied."""
    from suppliers.tasks import supplier_import_apply_task

    register_manager_check(actor)
    with transaction.atomic():
        job = SupplierImport.objects.select_for_update().get(pk=job.pk)
        if not job.can_confirm:
            raise ValidationError("Only a checked file without problems can be imported.")
        leases.import_job_confirm(job, actor=actor, task=supplier_import_apply_task)
    return job


def supplier_import_apply(*, job_id: int) -> SupplierImport | None:
    """Apply a confirmed import in a worker: re-checked, then all rows or none, with progress."""

    def apply(job: SupplierImport, heartbeat: leases.Heartbeat) -> dict:
        report = import_validate(filename=job.filename, content=bytes(job.content), column_map=job.column_map or None)
        if not report.ok:
            raise leases.ImportRejected(_errors_as_dicts(report))
        _write_rows(report.rows, actor=job.confirmed_by, progress=heartbeat.progress)
        return report.summary()

    job = leases.import_job_run_apply(SupplierImport, job_id, apply=apply)
    if job is not None and job.status == leases.ImportStatus.APPLIED:
        # The file has done its job; the summary stays.
        SupplierImport.objects.filter(pk=job.pk).update(content=b"")
    return job


def supplier_import_abandon(*, job: SupplierImport, actor: User) -> SupplierImport:
    """Drop a checked file that will not be imported."""
    register_manager_check(actor)
    with transaction.atomic():
        job = SupplierImport.objects.select_for_update().get(pk=job.pk)
        if not job.can_abandon:
            raise ValidationError("Only an import waiting for its mapping, checked or failed can be abandoned.")
        job.status = leases.ImportStatus.ABANDONED
        job.content = b""
        job.save(update_fields=["status", "content"])
    return job


def supplier_imports_requeue_stale() -> int:
    """Queue again the checks and applies whose worker died or whose message was lost."""
    from suppliers.tasks import supplier_import_apply_task, supplier_import_check_task

    return leases.import_jobs_requeue_stale(
        SupplierImport, check_task=supplier_import_check_task, apply_task=supplier_import_apply_task
    )


def _base_row(s: Supplier) -> list:
    return [
        s.name,
        s.registration_number,
        s.category,
        ";".join(c.code for c in s.countries),
        f"{s.annual_spend:.2f}",
        s.contract_owner.email if s.contract_owner_id else "",
        s.contract_start.isoformat() if s.contract_start else "",
        s.contract_end.isoformat() if s.contract_end else "",
        *("yes" if getattr(s, c) else "no" for c in COLUMNS if c in BOOLEAN_COLUMNS),
        *("" for _ in LEGACY_AGENCY_COLUMNS),
        s.status,
        s.contact_name,
        s.contact_email,
    ]


EXPORT_HEADER = [*COLUMNS, "risk_score", "risk_band", *procurement_services.EXPORT_COLUMNS]


def register_export_row(supplier: Supplier) -> list:
    """One row of the register export; the first columns are exactly the import columns (round trip)."""
    return [
        *_base_row(supplier),
        supplier.risk_score,
        supplier.risk_band,
        *procurement_services.procurement_export_cells(supplier),
    ]
