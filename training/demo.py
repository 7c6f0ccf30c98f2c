"""Demo data for training: the policy's courses and rules, ~150 staff with realistic completion,
the seed Modern Slavery Policy as version 1 with acknowledgements, and recruitment checks.

Idempotent: people, courses and rules are matched by email/code; records, acknowledgements and
checks are only created for people who have none yet.
"""

import datetime
import random
from pathlib import Path

from django.contrib.auth.models import Group
from django.utils import timezone

from compliance import roles
from compliance.demo import DEMO_DOMAIN
from compliance.models import Department, Site, User
from compliance.policy_models import Acknowledgement, Policy, PolicyVersion, add_months
from training.models import AssignmentRule, Course, RecruitmentCheck, TrainingRecord
from training.services import assignments_apply

STAFF_COUNT = 150
# An agency in the suppliers demo register.
AGENCY_NAME = "CareForce Staffing Ltd"
POLICY_TEXT = Path(__file__).with_name("demo_data") / "modern_slavery_policy.txt"

COURSES = [
    {
        "code": "MS-INDUCTION",
        "title": "Modern slavery awareness (induction)",
        "kind": Course.Kind.INDUCTION,
        "provider": Course.Provider.INTERNAL,
        "validity_months": None,
        "description": "Induction for every new member of staff on recognising modern slavery (policy 4.4): the signs "
        "in section 5.1, how to report a concern, and the Modern Slavery Helpline 08000 121 700.",
    },
    {
        "code": "SG-REFRESHER",
        "title": "Annual safeguarding refresher (modern slavery indicators)",
        "kind": Course.Kind.REFRESHER,
        "provider": Course.Provider.ELEARNING,
        "validity_months": 12,
        "link": "https://www.e-lfh.org.uk/programmes/modern-slavery/",
        "description": "Yearly safeguarding refresher covering modern slavery indicators (policy 4.4).",
    },
    {
        "code": "MS-SPECIALISED",
        "title": "Specialised modern slavery training for managers, HR and procurement",
        "kind": Course.Kind.SPECIALISED,
        "provider": Course.Provider.EXTERNAL,
        "validity_months": 24,
        "description": "Deeper training for line managers, HR and procurement: ethical recruitment, agency checks, "
        "supplier due diligence and responding to disclosures (policy 4.4).",
    },
]

FIRST = [
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Ewa",
    "Farid",
    "Grace",
    "Hamza",
    "Ines",
    "Jakub",
    "Kofi",
    "Lena",
    "Marta",
    "Nadia",
    "Olu",
    "Priya",
    "Rui",
    "Sana",
    "Tomasz",
    "Uma",
]
LAST = [
    "Adeyemi",
    "Brown",
    "Campbell",
    "Dlamini",
    "Evans",
    "Fernandes",
    "Gill",
    "Hughes",
    "Iqbal",
    "Jones",
    "Kowalski",
    "Lewis",
    "Mensah",
    "Nowak",
    "Okafor",
]
TEAMS = [
    ("Care delivery", "Care assistant", 0.45),
    ("Nursing", "Staff nurse", 0.15),
    ("Housekeeping and catering", "Housekeeper", 0.18),
    ("HR", "HR assistant", 0.05),
    ("Procurement", "Buyer", 0.05),
    ("Finance", "Finance officer", 0.06),
    ("Safeguarding", "Safeguarding practitioner", 0.06),
]
EMPLOYMENT = [("permanent", 0.68), ("temporary", 0.08), ("agency", 0.14), ("volunteer", 0.06), ("contractor", 0.04)]


def _pick(rng, weighted):
    return rng.choices(weighted, weights=[w[-1] for w in weighted])[0]


def _courses_and_rules():
    courses = {}
    for data in COURSES:
        course, _ = Course.objects.update_or_create(code=data["code"], defaults=data)
        courses[data["code"]] = course
    AssignmentRule.objects.get_or_create(course=courses["MS-INDUCTION"], role=None, department=None, employment_type="")
    AssignmentRule.objects.get_or_create(
        course=courses["SG-REFRESHER"], role=None, department=None, employment_type="", defaults={"due_within_days": 60}
    )
    for role in (roles.LINE_MANAGER, roles.HR, roles.PROCUREMENT):
        AssignmentRule.objects.get_or_create(
            course=courses["MS-SPECIALISED"], role=Group.objects.get(name=role), defaults={"due_within_days": 90}
        )
    return courses


def _people(rng, today):
    staff_group = Group.objects.get(name=roles.STAFF)
    manager_group = Group.objects.get(name=roles.LINE_MANAGER)
    sites = list(Site.objects.order_by("pk"))
    departments = {name: Department.objects.get_or_create(name=name)[0] for name, _t, _w in TEAMS}
    demo_manager = User.objects.filter(email=f"manager@{DEMO_DOMAIN}").first()
    people, managers, created = [], {}, set()
    for n in range(STAFF_COUNT):
        email = f"staff{n + 1:03d}@{DEMO_DOMAIN}"
        team = _pick(rng, TEAMS)
        person = User.objects.filter(email=email).first()
        if person is None:
            person = User(email=email)
            created.add(email)
            # Demo staff never sign in; only the per-role demo logins have a password.
            person.set_unusable_password()
        person.full_name = f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST) + 2 * n) % len(LAST)]}"  # 150 unique names
        person.department = departments[team[0]]
        person.job_title = team[1]
        person.site = sites[n % len(sites)] if sites else None
        person.employment_type = _pick(rng, EMPLOYMENT)[0]
        person.start_date = today - datetime.timedelta(days=rng.choice([5, 12, 20, 40, 90, 200, 400, 700, 1100, 1800]))
        # About one in twenty has left: kept, deactivated, excluded from rates.
        if n % 20 == 19:
            person.is_active, person.left_on = False, today - datetime.timedelta(days=rng.randint(10, 200))
        person.save()
        person.groups.add(staff_group)
        people.append(person)
        if team[0] not in managers and person.is_active and person.employment_type == "permanent":
            managers[team[0]] = person
            person.job_title = f"{team[0]} manager"
            person.save(update_fields=["job_title"])
            person.groups.add(manager_group)
    for n, person in enumerate(people):
        manager = managers.get(person.department.name)
        # A share of the care team reports to the demo manager login, so its team page has people.
        if demo_manager and person.department.name == "Care delivery" and n % 3 == 0:
            manager = demo_manager
        if manager and manager.pk != person.pk and person.line_manager_id != manager.pk:
            person.line_manager = manager
            person.save(update_fields=["line_manager"])
    return people, created


def _records(rng, people, created, courses, today):
    for person in people:
        if person.email not in created:
            continue
        # Joining the Staff role just assigned courses by rule; replace them with a realistic history.
        TrainingRecord.objects.filter(user=person).delete()
        started = person.start_date
        induction = courses["MS-INDUCTION"]
        due = started + datetime.timedelta(days=28)
        if (today - started).days < 28:
            TrainingRecord.objects.create(
                user=person, course=induction, assigned_on=started, due_on=due, source=TrainingRecord.Source.RULE
            )
        elif rng.random() < 0.93:
            done = started + datetime.timedelta(days=rng.randint(3, 27))
            TrainingRecord.objects.create(
                user=person,
                course=induction,
                assigned_on=started,
                due_on=due,
                completed_on=done,
                source=rng.choice([TrainingRecord.Source.CSV_IMPORT, TrainingRecord.Source.MANUAL]),
                score=rng.randint(70, 100),
            )
        else:
            TrainingRecord.objects.create(
                user=person, course=induction, assigned_on=started, due_on=due, source=TrainingRecord.Source.RULE
            )
        refresher = courses["SG-REFRESHER"]
        if (today - started).days < 60:
            continue
        roll = rng.random()
        if roll < 0.70:  # in date
            done = today - datetime.timedelta(days=rng.randint(10, 330))
            TrainingRecord.objects.create(
                user=person,
                course=refresher,
                assigned_on=done - datetime.timedelta(days=30),
                due_on=done + datetime.timedelta(days=10),
                completed_on=done,
                expires_on=add_months(done, 12),
                source=TrainingRecord.Source.CSV_IMPORT,
                score=rng.randint(65, 100),
            )
        elif roll < 0.80:  # expired, renewal not yet assigned
            done = today - datetime.timedelta(days=rng.randint(380, 500))
            TrainingRecord.objects.create(
                user=person,
                course=refresher,
                assigned_on=done - datetime.timedelta(days=30),
                due_on=done + datetime.timedelta(days=5),
                completed_on=done,
                expires_on=add_months(done, 12),
                source=TrainingRecord.Source.CSV_IMPORT,
            )
        elif roll < 0.90:  # overdue
            TrainingRecord.objects.create(
                user=person,
                course=refresher,
                assigned_on=today - datetime.timedelta(days=rng.randint(70, 120)),
                due_on=today - datetime.timedelta(days=rng.randint(3, 50)),
                source=TrainingRecord.Source.RULE,
            )
        else:  # due soon
            TrainingRecord.objects.create(
                user=person,
                course=refresher,
                assigned_on=today - datetime.timedelta(days=20),
                due_on=today + datetime.timedelta(days=rng.randint(3, 40)),
                source=TrainingRecord.Source.RULE,
            )


def _policy(rng, people, today):
    admin = User.objects.filter(email=f"admin@{DEMO_DOMAIN}").first()
    policy, _ = Policy.objects.get_or_create(
        title="Modern Slavery Policy",
        defaults={
            "summary": "Zero tolerance of modern slavery: prevention, ethical recruitment, training, reporting and "
            "supply chain due diligence.",
            "owner": admin,
        },
    )
    effective = add_months(today, -10).replace(day=1)
    version, created = PolicyVersion.objects.get_or_create(
        policy=policy,
        number=1,
        defaults={
            "text": POLICY_TEXT.read_text(encoding="utf-8"),
            "effective_date": effective,
            "published_at": timezone.make_aware(datetime.datetime.combine(effective, datetime.time(9))),
            "published_by": admin,
        },
    )
    if created:
        acknowledgers = [p for p in people if p.is_active and rng.random() < 0.82]
        Acknowledgement.objects.bulk_create(
            [
                Acknowledgement(
                    user=p,
                    version=version,
                    acknowledged_at=version.published_at + datetime.timedelta(days=rng.randint(0, 40)),
                )
                for p in acknowledgers
            ],
            ignore_conflicts=True,
        )


def _recruitment_checks(rng, people, today):
    from suppliers.models import Supplier

    agency = Supplier.objects.filter(name=AGENCY_NAME, category=Supplier.Category.AGENCY_STAFFING).first()
    for person in people:
        if RecruitmentCheck.objects.filter(worker=person).exists() or not person.is_active:
            continue
        check = RecruitmentCheck(worker=person)
        start = person.start_date
        if rng.random() < 0.92:
            check.dbs_checked_on = start - datetime.timedelta(days=rng.randint(5, 30))
            check.dbs_outcome = RecruitmentCheck.DbsOutcome.CLEAR
        if rng.random() < 0.95:
            check.right_to_work_verified_on = start - datetime.timedelta(days=rng.randint(5, 30))
            if rng.random() < 0.15:
                check.right_to_work_document = RecruitmentCheck.RightToWorkDocument.SHARE_CODE
                # Some time-limited permissions end soon, so the reminder has something to say.
                check.right_to_work_expires_on = today + datetime.timedelta(days=rng.randint(10, 400))
            else:
                check.right_to_work_document = RecruitmentCheck.RightToWorkDocument.UK_IRISH_PASSPORT
        if rng.random() < 0.85:
            check.contract_accessible_given_on = start
            check.contract_format = rng.choice(["Plain English", "Plain English, Polish translation", "Large print"])
        if person.employment_type == "agency":
            check.agency_used = True
            check.agency = agency
            check.agency_name = "" if agency else AGENCY_NAME
        check.save()
    # The suppliers demo runs after this one: on a rerun, link the agency once it is in the register.
    registered = Supplier.objects.filter(name=AGENCY_NAME, category=Supplier.Category.AGENCY_STAFFING).first()
    if registered:
        RecruitmentCheck.objects.filter(agency__isnull=True, agency_name=AGENCY_NAME).update(
            agency=registered, agency_name=""
        )


def _demo_logins(today):
    """Give the per-role logins something to see: a finished induction, an overdue refresher for
    the staff login, and a self-declared completion waiting for the manager login to confirm."""
    logins = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exclude(email__regex=r"^staff[0-9]")
    for person in logins:
        induction = TrainingRecord.objects.filter(
            user=person, course__code="MS-INDUCTION", completed_on__isnull=True, declared_on__isnull=True
        ).first()
        if induction is not None:
            done = today - datetime.timedelta(days=200)
            induction.assigned_on, induction.due_on, induction.completed_on = done, done, done
            induction.source = TrainingRecord.Source.CSV_IMPORT
            induction.save()
    staff = User.objects.filter(email=f"staff@{DEMO_DOMAIN}").first()
    if staff:
        TrainingRecord.objects.filter(
            user=staff, course__code="SG-REFRESHER", completed_on__isnull=True, declared_on__isnull=True
        ).update(due_on=today - datetime.timedelta(days=9), assigned_on=today - datetime.timedelta(days=70))
    manager = User.objects.filter(email=f"manager@{DEMO_DOMAIN}").first()
    if manager and not TrainingRecord.objects.filter(user__line_manager=manager, declared_on__isnull=False).exists():
        pending = (
            TrainingRecord.objects.filter(user__line_manager=manager, user__is_active=True, completed_on__isnull=True)
            .exclude(user=staff)
            .order_by("pk")
            .first()
        )
        if pending:
            pending.declared_on = today - datetime.timedelta(days=2)
            pending.source = TrainingRecord.Source.SELF_DECLARED
            pending.save()


def seed(stdout=None) -> None:
    """Create the training demo; safe to run again."""
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    courses = _courses_and_rules()
    people, created = _people(rng, today)
    _records(rng, people, created, courses, today)
    _policy(rng, people, today)
    _recruitment_checks(rng, people, today)
    # The per-role demo logins (and anyone missing a course) get their rule-based assignments.
    assignments_apply(users=User.objects.filter(is_active=True))
    _demo_logins(today)
    if stdout is not None:
        stdout.write(
            f"Training: {User.objects.filter(email__startswith='staff').count()} staff, "
            f"{TrainingRecord.objects.count()} training records, {Course.objects.count()} courses."
        )
