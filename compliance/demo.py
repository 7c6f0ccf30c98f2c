"""Demo data for the core: the care provider of the seed policy, its sites and one login per role."""

from django.contrib.auth.models import Group

from compliance import roles
from compliance.models import Department, LegalEntity, Organisation, Site, User

DEMO_PASSWORD = "demo-Passw0rd-2026"
DEMO_DOMAIN = "nextsmartstep.example"

DEPARTMENTS = [
    "Care delivery",
    "Nursing",
    "Housekeeping and catering",
    "HR",
    "Procurement",
    "Finance",
    "Safeguarding",
    "Executive",
]
SITES = [
    ("Head office", "1 Riverside Court, Leeds LS1 4AP"),
    ("Oakwood Care Home", "12 Oakwood Lane, Leeds LS8 2QT"),
    ("Meadow View Care Home", "40 Meadow Road, Wakefield WF1 3AA"),
    ("Domiciliary care: Leeds North", "Unit 3, Chapel Allerton, Leeds LS7 3PD"),
]

# (email local part, full name, job title, department, roles)
DEMO_USERS = [
    ("staff", "Sam Staff", "Care assistant", "Care delivery", [roles.STAFF]),
    ("manager", "Morgan Manager", "Registered manager", "Care delivery", [roles.STAFF, roles.LINE_MANAGER]),
    ("lead", "Lee Lead", "Modern Slavery Lead", "Safeguarding", [roles.STAFF, roles.MODERN_SLAVERY_LEAD]),
    (
        "safeguarding",
        "Sasha Safeguarding",
        "Safeguarding officer",
        "Safeguarding",
        [roles.STAFF, roles.SAFEGUARDING_TEAM],
    ),
    ("procurement", "Pat Procurement", "Procurement manager", "Procurement", [roles.STAFF, roles.PROCUREMENT]),
    ("hr", "Harper HR", "HR business partner", "HR", [roles.STAFF, roles.HR]),
    ("board", "Blake Board", "Non-executive director", "Executive", [roles.BOARD_MEMBER]),
    ("director", "Dana Director", "Chief executive", "Executive", [roles.BOARD_MEMBER, roles.DIRECTOR]),
    ("admin", "Alex Admin", "Compliance administrator", "Executive", [roles.STAFF, roles.COMPLIANCE_ADMIN]),
]


def seed(stdout=None) -> list[tuple[str, str]]:
    """Create (or bring up to date) the demo organisation and logins; returns (email, roles)."""
    # The role groups come from a data migration; a database emptied since (a flushed test
    # database, a restored dump without them) would otherwise stop the demo half-way.
    for name in roles.ALL_ROLES:
        Group.objects.get_or_create(name=name)
    org = Organisation.objects.order_by("pk").first() or Organisation()
    org.legal_name = "Nextsmartstep Ltd"
    org.trading_name = "Nextsmartstep"
    org.company_number = org.company_number or "12345678"
    org.sector = Organisation.Sector.SOCIAL_CARE
    org.financial_year_end_day, org.financial_year_end_month = 31, 3
    org.turnover_band = Organisation.TurnoverBand.FROM_36M_TO_60M
    org.website = "https://www.nextsmartstep.example"
    org.address = SITES[0][1]
    org.save()
    LegalEntity.objects.get_or_create(
        organisation=org, name="Nextsmartstep Ltd", defaults={"company_number": "12345678"}
    )
    LegalEntity.objects.get_or_create(
        organisation=org, name="Nextsmartstep Homecare Ltd", defaults={"company_number": "87654321"}
    )

    departments = {name: Department.objects.get_or_create(name=name)[0] for name in DEPARTMENTS}
    sites = [Site.objects.get_or_create(name=name, defaults={"address": address})[0] for name, address in SITES]

    logins = []
    manager = None
    for local, full_name, title, dept, role_names in DEMO_USERS:
        email = f"{local}@{DEMO_DOMAIN}"
        user, created = User.objects.get_or_create(
            email=email,
            defaults={
                "full_name": full_name,
                "job_title": title,
                "department": departments[dept],
                "site": sites[1] if dept == "Care delivery" else sites[0],
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.set(Group.objects.filter(name__in=role_names))
        if local == "manager":
            manager = user
        logins.append((email, ", ".join(role_names)))
    if manager:
        User.objects.filter(email=f"staff@{DEMO_DOMAIN}").update(line_manager=manager)
    return logins
