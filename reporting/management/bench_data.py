"""The scale database of `manage.py bench` (a script, not a test): a large NHS trust's volumes.

The demo data (one login per role, statements, Board reports, questionnaires, every kind of
record once) is loaded first, so every page has something to show; then bulk inserts add
the volumes of issue 17: 10,000 people, 100,000 concerns over three years with 400,000
timeline entries, 150,000 access-log rows, 10,000 suppliers (with risk assessments, audits,
findings and corrective actions) and 200,000 training records. The spread is what a trust
sees: most people are staff at one of 30 sites, a few hundred line managers (the demo
manager has 400 reports), recent cases open and older ones closed, a third of training
overdue or expiring. Bulk inserts skip signals, so there is no auditlog noise; the
reference counters are moved past the inserted references so new cases still number
correctly.
"""

from __future__ import annotations

import datetime
import random

# The demo personas that must enrol in MFA sign in with these TOTP secrets (base32). They are
# seeded into the scratch database only, so the bench can sign in through the real pages.
TOTP_SECRETS = {
    "lead": "JBSWY3DPEHPK3PXPBENCHLEAD2345672",
    "safeguarding": "JBSWY3DPEHPK3PXPBENCHSAFE2345672",
    "director": "JBSWY3DPEHPK3PXPBENCHDIRE2345672",
    "admin": "JBSWY3DPEHPK3PXPBENCHADMN2345672",
}

SIZES = {
    "people": 10_000,
    "concerns": 100_000,
    "timeline": 400_000,
    "access_log": 150_000,
    "suppliers": 10_000,
    "training": 200_000,
}

BATCH = 5_000
# Reports of the demo line manager: the team page must stay fast for a manager this size.
MANAGER_REPORTS = 400


def populate(*, sizes: dict[str, int], stdout, seed: int = 17) -> None:
    """Fill an empty, migrated database (demo data first, then the volumes)."""
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("seed_demo", "--force", stdout=_Quiet())
    rng = random.Random(seed)  # noqa: S311 - repeatable test data, not security
    with transaction.atomic():
        _enrol_totp()
        people = _people(rng, sizes["people"], stdout)
        suppliers = _suppliers(rng, sizes["suppliers"], people, stdout)
        _training(rng, sizes["training"], people, stdout)
        concern_ids = _concerns(rng, sizes["concerns"], sizes["timeline"], people, suppliers, stdout)
        _access_log(rng, sizes["access_log"], people, concern_ids, stdout)
    with connection.cursor() as cursor:
        # Index-only scans (deep pages read their keys first) need the visibility map a VACUUM writes.
        cursor.execute("VACUUM ANALYZE")


class _Quiet:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass


def _enrol_totp() -> None:
    from allauth.mfa.totp.internal.auth import TOTP

    from compliance.demo import DEMO_DOMAIN
    from compliance.models import User

    for local, secret in TOTP_SECRETS.items():
        user = User.objects.get(email=f"{local}@{DEMO_DOMAIN}")
        if not user.authenticator_set.exists():
            TOTP.activate(user, secret)


def _say(stdout, text: str) -> None:
    stdout.write(f"  {text}")
    stdout.flush()


class _People:
    def __init__(self, *, all_ids, staff_ids, lead_ids, procurement_ids, hr_ids):
        self.all_ids = all_ids
        self.staff_ids = staff_ids
        self.lead_ids = lead_ids  # Lead and safeguarding team: who works cases
        self.procurement_ids = procurement_ids
        self.hr_ids = hr_ids


def _people(rng, count: int, stdout) -> _People:
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from compliance import roles
    from compliance.demo import DEMO_DOMAIN
    from compliance.models import Department, Site, User

    departments = list(Department.objects.all()) + [
        Department.objects.create(name=f"Directorate {i}") for i in range(1, 33)
    ]
    sites = list(Site.objects.all()) + [
        Site.objects.create(name=f"Bench site {i}", address=f"{i} Hospital Road") for i in range(1, 27)
    ]
    today = timezone.localdate()
    kinds = [*["permanent"] * 14, "temporary", "agency", "agency", "volunteer", "contractor"]
    users = []
    for i in range(count):
        left = rng.random() < 0.08
        users.append(
            User(
                email=f"person{i:05d}@bench.example",
                full_name=f"{rng.choice(_FIRST)} {rng.choice(_LAST)} {i}",
                job_title=rng.choice(_TITLES),
                department=rng.choice(departments),
                site=rng.choice(sites),
                employment_type=rng.choice(kinds),
                start_date=today - datetime.timedelta(days=rng.randrange(12 * 365)),
                is_active=not left,
                left_on=today - datetime.timedelta(days=rng.randrange(1000)) if left else None,
                password="!bench-unusable",  # noqa: S106 - an unusable password: only personas sign in
            )
        )
    User.objects.bulk_create(users, batch_size=BATCH)
    ids = list(User.objects.filter(email__endswith="@bench.example").order_by("pk").values_list("pk", flat=True))
    groups = {g.name: g.pk for g in Group.objects.all()}
    # Most are staff; 3% line managers; a handful of the back-office roles.
    managers = ids[: max(1, len(ids) * 3 // 100)]
    extra = {
        roles.SAFEGUARDING_TEAM: ids[len(managers) : len(managers) + 25],
        roles.MODERN_SLAVERY_LEAD: ids[len(managers) + 25 : len(managers) + 28],
        roles.PROCUREMENT: ids[len(managers) + 28 : len(managers) + 60],
        roles.HR: ids[len(managers) + 60 : len(managers) + 100],
        roles.COMPLIANCE_ADMIN: ids[len(managers) + 100 : len(managers) + 105],
    }
    through = User.groups.through
    links = [through(user_id=pk, group_id=groups[roles.STAFF]) for pk in ids]
    links += [through(user_id=pk, group_id=groups[roles.LINE_MANAGER]) for pk in managers]
    for role, members in extra.items():
        links += [through(user_id=pk, group_id=groups[role]) for pk in members]
    through.objects.bulk_create(links, batch_size=BATCH)
    # Everyone has a line manager; the demo manager has MANAGER_REPORTS of them.
    demo_manager = User.objects.get(email=f"manager@{DEMO_DOMAIN}")
    reports = ids[len(managers) : len(managers) + MANAGER_REPORTS]
    User.objects.filter(pk__in=reports).update(line_manager=demo_manager)
    taken = set(reports)
    rest = [pk for pk in ids if pk not in taken]
    by_manager: dict[int, list[int]] = {}
    for pk in rest:
        by_manager.setdefault(rng.choice(managers), []).append(pk)
    for manager_id, members in by_manager.items():
        User.objects.filter(pk__in=[m for m in members if m != manager_id]).update(line_manager_id=manager_id)
    personas = {
        local: User.objects.get(email=f"{local}@{DEMO_DOMAIN}").pk
        for local in ("lead", "safeguarding", "procurement", "hr", "staff", "manager")
    }
    _say(stdout, f"{len(ids):,} people ({len(managers)} line managers, {MANAGER_REPORTS} report to the demo manager)")
    return _People(
        all_ids=ids + list(personas.values()),
        staff_ids=ids,
        lead_ids=[personas["lead"], personas["safeguarding"], *extra[roles.SAFEGUARDING_TEAM]],
        procurement_ids=[personas["procurement"], *extra[roles.PROCUREMENT]],
        hr_ids=[personas["hr"], *extra[roles.HR]],
    )


def _suppliers(rng, count: int, people: _People, stdout) -> list[int]:
    from django.utils import timezone

    from suppliers.figures import register_figures_changed
    from suppliers.models import Audit, CorrectiveAction, Finding, RiskAssessment, Supplier

    now = timezone.now()
    today = timezone.localdate()
    categories = [c for c, _ in Supplier.Category.choices]
    statuses = [*["active"] * 14, "prospective", "prospective", "suspended", "terminated"]
    countries = ["GB", "GB", "GB", "GB", "IE", "IN", "CN", "MY", "PL", "RO", "PH", "BD", "TR", "VN"]
    suppliers = []
    for i in range(count):
        score = int(rng.triangular(0, 100, 30))
        band = "high" if score >= 65 else "medium" if score >= 35 else "low"
        start = today - datetime.timedelta(days=rng.randrange(6 * 365))
        status = rng.choice(statuses)
        suppliers.append(
            Supplier(
                name=f"{rng.choice(_COMPANY)} {rng.choice(_COMPANY_KIND)} {i:05d}",
                registration_number=f"{rng.randrange(10**7, 10**8)}",
                category=rng.choice(categories),
                countries=rng.sample(countries, rng.randint(1, 3)),
                annual_spend=rng.randrange(1_000, 5_000_000),
                contract_owner_id=rng.choice(people.procurement_ids),
                contract_start=start,
                contract_end=start + datetime.timedelta(days=rng.randrange(365, 5 * 365)),
                uses_agency_labour=rng.random() < 0.2,
                subcontracts=rng.random() < 0.3,
                migrant_workforce=rng.random() < 0.15,
                on_site_at_our_premises=rng.random() < 0.25,
                status=status,
                risk_score=score,
                risk_band=band,
                risk_assessed_at=now - datetime.timedelta(days=rng.randrange(700)),
                next_review_due=today + datetime.timedelta(days=rng.randrange(-200, 365)),
                contact_name="Supplier contact",
                contact_email=f"contact{i}@supplier.example",
                terminated_at=now - datetime.timedelta(days=rng.randrange(900)) if status == "terminated" else None,
                suspended_at=now - datetime.timedelta(days=rng.randrange(300)) if status == "suspended" else None,
            )
        )
    Supplier.objects.bulk_create(suppliers, batch_size=BATCH)
    ids = list(Supplier.objects.filter(contact_email__endswith="@supplier.example").values_list("pk", "risk_band"))
    RiskAssessment.objects.bulk_create(
        [
            RiskAssessment(
                supplier_id=pk,
                assessed_at=now - datetime.timedelta(days=rng.randrange(700)),
                score=rng.randrange(100),
                band=band,
                factors=[],
                reason="Bench",
            )
            for pk, band in ids
        ],
        batch_size=BATCH,
    )
    audited = rng.sample(ids, len(ids) * 3 // 10)
    audits = []
    for pk, _band in audited:
        planned = today - datetime.timedelta(days=rng.randrange(-60, 3 * 365))
        done = planned <= today and rng.random() < 0.9
        audits.append(
            Audit(
                supplier_id=pk,
                kind=rng.choice(["planned", "planned", "spot_check"]),
                method=rng.choice(["desk", "on_site", "remote"]),
                planned_date=planned,
                completed_date=planned if done else None,
                status="completed" if done else "planned",
                result=rng.choice(["compliant", "compliant", "minor", "major", "critical"]) if done else "",
                scope="Working hours, pay, recruitment fees and identity documents.",
                created_by_id=rng.choice(people.procurement_ids),
            )
        )
    Audit.objects.bulk_create(audits, batch_size=BATCH)
    findings = [
        Finding(
            audit_id=audit_pk,
            supplier_id=supplier_pk,
            severity=rng.choice(["minor", "minor", "major", "critical"]),
            description="Workers could not show their contracts.",
            status=rng.choice(["open", "closed", "closed"]),
            created_by_id=rng.choice(people.procurement_ids),
            created_at=now - datetime.timedelta(days=rng.randrange(3 * 365)),
        )
        for audit_pk, supplier_pk, result in Audit.objects.filter(status=Audit.Status.COMPLETED).values_list(
            "pk", "supplier_id", "result"
        )
        if result not in ("", "compliant")
        for _ in range(rng.randint(1, 3))
    ]
    Finding.objects.bulk_create(findings, batch_size=BATCH)
    actions = []
    for finding_pk, supplier_pk, created in Finding.objects.values_list("pk", "supplier_id", "created_at"):
        status = rng.choice(["open", "evidence_submitted", "verified", "verified"])
        due = created.date() + datetime.timedelta(days=rng.randrange(14, 120))
        actions.append(
            CorrectiveAction(
                finding_id=finding_pk,
                supplier_id=supplier_pk,
                description="Give every worker a written contract in a language they read.",
                owner_id=rng.choice(people.procurement_ids),
                due_date=due,
                status=status,
                evidence_submitted_at=created + datetime.timedelta(days=10) if status != "open" else None,
                verified_by_id=people.procurement_ids[0] if status == "verified" else None,
                verified_at=created + datetime.timedelta(days=20) if status == "verified" else None,
                escalation_level=rng.choice([0, 0, 0, 1, 2]) if status == "open" and due < today else 0,
                created_at=created,
            )
        )
    CorrectiveAction.objects.bulk_create(actions, batch_size=BATCH)
    register_figures_changed()  # bulk writes send no post_save
    _say(
        stdout,
        f"{len(ids):,} suppliers, {len(audits):,} audits, {len(findings):,} findings, "
        f"{len(actions):,} corrective actions",
    )
    return [pk for pk, _ in ids]


def _training(rng, count: int, people: _People, stdout) -> None:
    from django.utils import timezone

    from training.models import Course, TrainingRecord

    today = timezone.localdate()
    courses = list(Course.objects.all()) + [
        Course.objects.create(
            code=f"bench-{i}", title=f"{_COURSES[i % len(_COURSES)]} ({i})", validity_months=rng.choice([12, 24, 36])
        )
        for i in range(20)
    ]
    per_person = max(1, count // len(people.staff_ids))
    records = []
    made = 0
    for user_id in people.staff_ids:
        for course in rng.sample(courses, min(per_person, len(courses))):
            if made >= count:
                break
            assigned = today - datetime.timedelta(days=rng.randrange(3 * 365))
            due = assigned + datetime.timedelta(days=rng.choice([14, 30, 60]))
            completed = assigned + datetime.timedelta(days=rng.randrange(90)) if rng.random() < 0.78 else None
            completed = completed if completed and completed <= today else None
            records.append(
                TrainingRecord(
                    user_id=user_id,
                    course=course,
                    assigned_on=assigned,
                    due_on=due,
                    completed_on=completed,
                    expires_on=completed + datetime.timedelta(days=30 * (course.validity_months or 12))
                    if completed
                    else None,
                    score=rng.randrange(60, 101) if completed else None,
                    source=rng.choice(["manual", "import", "import", "assignment"]),
                )
            )
            made += 1
        if len(records) >= 20_000:
            TrainingRecord.objects.bulk_create(records, batch_size=BATCH)
            records = []
    TrainingRecord.objects.bulk_create(records, batch_size=BATCH)
    _say(stdout, f"{made:,} training records over {len(courses)} courses")


def _concerns(rng, count: int, timeline: int, people: _People, suppliers: list[int], stdout) -> list[int]:
    from django.db.models import Max
    from django.utils import timezone

    from compliance.models import Site
    from safeguarding.models import Concern, ReferenceCounter, TimelineEntry

    now = timezone.now()
    site_ids = list(Site.objects.values_list("pk", flat=True))
    counters = {row.year: row.last for row in ReferenceCounter.objects.all()}
    subjects = [*["service_user"] * 4, "staff", "staff", "agency_worker", "supplier_worker", "public", "unknown"]
    channels = [*["staff_form"] * 6, "anonymous_form", "anonymous_form", "phone", "manager_on_behalf"]
    indicators = ["restricted_movement", "controlled", "no_id", "excessive_hours", "injuries"]
    made = 0
    concern_ids: list[int] = []
    entries_per = max(1, timeline // count)
    while made < count:
        chunk = []
        for _ in range(min(10_000, count - made)):
            created = now - datetime.timedelta(seconds=rng.randrange(3 * 365 * 86400))
            age = (now - created).days
            # Recent cases are still open; a few older ones too (long investigations).
            if age < 14:
                status = rng.choice(["new", "new", "triaged", "investigating"])
            elif age < 120:
                status = rng.choice(["triaged", "investigating", "referred", "closed", "closed", "closed"])
            else:
                status = "closed" if rng.random() < 0.97 else rng.choice(["investigating", "referred"])
            counters[created.year] = counters.get(created.year, 0) + 1
            channel = rng.choice(channels)
            triaged = created + datetime.timedelta(hours=rng.randrange(1, 96)) if status != "new" else None
            closed = (
                created + datetime.timedelta(days=rng.randrange(1, min(age, 120) + 1)) if status == "closed" else None
            )
            chunk.append(
                Concern(
                    reference=f"MS-{created.year}-{counters[created.year]:05d}",
                    channel=channel,
                    reporter_id=rng.choice(people.staff_ids)
                    if channel in ("staff_form", "manager_on_behalf")
                    else None,
                    subject_type=rng.choice(subjects),
                    site_id=rng.choice(site_ids) if rng.random() < 0.9 else None,
                    indicators=rng.sample(indicators, rng.randint(1, 3)),
                    narrative="A worker said their passport was kept by the agency and they work 70 hours a week.",
                    occurred_on=(created - datetime.timedelta(days=rng.randrange(30))).date(),
                    linked_supplier_id=rng.choice(suppliers) if suppliers and rng.random() < 0.15 else None,
                    immediate_danger=rng.random() < 0.02,
                    status=status,
                    risk_level=rng.choice(["low", "low", "medium", "medium", "high", "critical"]) if triaged else "",
                    assignee_id=rng.choice(people.lead_ids) if triaged else None,
                    outcome=rng.choice(["substantiated", "not_substantiated", "referred_on", "no_further_action"])
                    if closed
                    else "",
                    closing_summary="Closed after investigation." if closed else "",
                    created_at=created,
                    triaged_at=triaged,
                    closed_at=closed,
                    due_at=created + datetime.timedelta(days=2 if status == "new" else 30),
                )
            )
        Concern.objects.bulk_create(chunk, batch_size=BATCH)
        made += len(chunk)
        inserted = [c for c in chunk if c.pk]
        if not inserted:  # not every backend returns keys from a bulk insert
            refs = [c.reference for c in chunk]
            inserted = list(Concern.objects.filter(reference__in=refs))
        concern_ids += [c.pk for c in inserted]
        TimelineEntry.objects.bulk_create(_timeline_for(rng, inserted, entries_per, people, now), batch_size=BATCH)
    for year, last in counters.items():
        ReferenceCounter.objects.update_or_create(year=year, defaults={"last": last})
    entries = TimelineEntry.objects.aggregate(n=Max("pk"))["n"]
    _say(stdout, f"{made:,} concerns over three years, about {entries:,} timeline entries")
    return concern_ids


def _timeline_for(rng, concerns, per_concern: int, people: _People, now):
    from safeguarding.models import Status, TimelineEntry

    for concern in concerns:
        path = [Status.NEW]
        if concern.status != Status.NEW:
            path.append(Status.TRIAGED)
        if concern.status in (Status.INVESTIGATING, Status.REFERRED, Status.CLOSED):
            path.append(Status.INVESTIGATING)
        if concern.status == Status.REFERRED or (concern.status == Status.CLOSED and rng.random() < 0.2):
            path.append(Status.REFERRED)
        if concern.status == Status.CLOSED:
            path.append(Status.CLOSED)
        end = concern.closed_at or now
        span = max(1, int((end - concern.created_at).total_seconds()))
        author = concern.assignee_id
        entries = 0
        for before, after in zip(path, path[1:], strict=False):
            entries += 1
            yield TimelineEntry(
                concern_id=concern.pk,
                kind=TimelineEntry.Kind.STATUS,
                author_id=author,
                from_status=before,
                to_status=after,
                created_at=concern.created_at + datetime.timedelta(seconds=span * entries // (len(path) + 1)),
            )
        while entries < per_concern:
            entries += 1
            yield TimelineEntry(
                concern_id=concern.pk,
                kind=rng.choice(["note", "note", "note", "to_reporter", "from_reporter"]),
                author_id=author,
                body="Spoke to the site manager; rota and pay slips requested.",
                created_at=concern.created_at + datetime.timedelta(seconds=rng.randrange(span)),
            )


def _access_log(rng, count: int, people: _People, concern_ids: list[int], stdout) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from compliance.models import AccessLog
    from safeguarding.models import Concern

    now = timezone.now()
    concern_type = ContentType.objects.get_for_model(Concern)
    refs = dict(
        Concern.objects.filter(pk__in=rng.sample(concern_ids, min(20_000, len(concern_ids)))).values_list(
            "pk", "reference"
        )
    )
    sample = list(refs.items())
    rows = []
    for _ in range(count):
        pk, reference = rng.choice(sample)
        action = rng.choice(["view", "view", "view", "view", "download", "export"])
        rows.append(
            AccessLog(
                user_id=rng.choice(people.lead_ids),
                action=action,
                content_type=concern_type,
                object_id=str(pk),
                object_repr=reference,
                detail="Case opened" if action == "view" else "Case summary PDF",
                path=f"/cases/{reference}/",
                request_id=f"{rng.getrandbits(64):016x}",
                ip_address=f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                at=now - datetime.timedelta(seconds=rng.randrange(3 * 365 * 86400)),
            )
        )
        if len(rows) >= 20_000:
            AccessLog.objects.bulk_create(rows, batch_size=BATCH)
            rows = []
    AccessLog.objects.bulk_create(rows, batch_size=BATCH)
    _say(stdout, f"{count:,} access-log rows")


_FIRST = ["Amira", "Ben", "Chloe", "Dev", "Ewa", "Femi", "Grace", "Hamza", "Iona", "Jack", "Kofi", "Lena", "Mo"]
_LAST = ["Patel", "Smith", "Jones", "Okafor", "Nowak", "Khan", "Williams", "Brown", "Singh", "Evans", "Murphy"]
_TITLES = ["Staff nurse", "Healthcare assistant", "Porter", "Domestic", "Ward clerk", "Physiotherapist", "Cook"]
_COMPANY = ["Northern", "Pennine", "Riverside", "Albion", "Crown", "Meridian", "Summit", "Harbour", "Oak", "Vale"]
_COMPANY_KIND = ["Cleaning Ltd", "Catering plc", "Staffing Ltd", "Linen Services", "Medical Supplies", "Care Ltd"]
_COURSES = [
    "Modern slavery awareness",
    "Safeguarding adults level 2",
    "Recruitment without fees",
    "Spotting exploitation",
]
