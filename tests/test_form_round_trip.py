"""Every form round-trips: opened on a stored record and submitted unchanged, nothing changes.

Fast (no browser): each form is rendered, turned into the data a browser would submit
(tests/formdata.py applies the HTML rules that drop a non-ISO date and send CRLF line endings),
bound again and saved. A new ModelForm fails ``test_every_model_form_has_a_stored_record_here``
until a stored record for it is added below, so no edit form escapes the check.
"""

from __future__ import annotations

import datetime
import importlib
import inspect
from decimal import Decimal

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.forms.formsets import BaseFormSet

from compliance import roles, widgets
from compliance.tests.factories import DepartmentFactory, OrganisationFactory, SiteFactory, UserFactory
from tests.formdata import browser_form_data

FORM_MODULES = ["compliance.forms", "suppliers.forms", "reporting.forms", "training.forms", "safeguarding.forms"]

# Ambiguous on purpose: read day-first or month-first it is a different date.
A_DATE = datetime.date(2024, 2, 3)
LATER = datetime.date(2027, 11, 5)
TEXT = "First line\nSecond line\n\nAfter a blank line"


def _form_classes() -> dict[str, type[forms.BaseForm]]:
    found = {}
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, forms.BaseForm) and obj.__module__ == module_name:
                found[f"{module_name}.{name}"] = obj
            elif inspect.isclass(obj) and issubclass(obj, BaseFormSet) and getattr(obj, "form", None):
                if obj.__module__.startswith("django."):
                    continue
                found[f"{module_name}.{name}.form"] = obj.form
    return found


FORMS = _form_classes()
MODEL_FORMS = {name: cls for name, cls in FORMS.items() if issubclass(cls, forms.BaseModelForm)}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_every_date_and_text_field_uses_the_round_trip_widgets(name):
    for field_name, field in FORMS[name].base_fields.items():
        where = f"{name}.{field_name}"
        if isinstance(field, forms.DateTimeField | forms.TimeField | forms.SplitDateTimeField):
            pytest.fail(f"{where}: add an ISO widget for {type(field).__name__} to compliance/widgets.py")
        if isinstance(field, forms.DateField):
            assert isinstance(field.widget, widgets.DateInput), f"{where}: use compliance.widgets.DateInput"
        if isinstance(field.widget, forms.Textarea):
            assert isinstance(field.widget, widgets.Textarea), f"{where}: use compliance.widgets.Textarea"


# --- stored records, with every field filled the way that has lost data before ---------------


def _gone():
    """Someone who has left: narrowed choice lists (active people only) must still keep them."""
    return UserFactory(is_active=False, left_on=A_DATE, full_name="Former Colleague")


def _organisation():
    return OrganisationFactory(
        address="1 High Street\nLeeds",
        website="https://example.org",
        financial_year_end_day=31,
        financial_year_end_month=3,
    )


def _person():
    user = UserFactory(
        start_date=A_DATE,
        line_manager=_gone(),
        employment_type="agency",
        job_title="Night carer",
        roles=[roles.STAFF, roles.MODERN_SLAVERY_LEAD],
    )
    return user


def _supplier():
    from suppliers.models import Supplier
    from suppliers.services.register import risk_assess
    from suppliers.tests.factories import SupplierFactory

    supplier = SupplierFactory(
        category=Supplier.Category.AGENCY_STAFFING,
        is_recruitment_agency=True,
        countries=["PL", "GB"],
        annual_spend=Decimal("12345.67"),
        contract_owner=_gone(),
        contract_start=A_DATE,
        contract_end=LATER,
        uses_agency_labour=True,
        migrant_workforce=True,
        contract_type="framework_call_off",
        framework_name="Clinical staffing",
        lsas_level="2",
        lsas_certificate_expiry=LATER,
        statement_url="https://agency.example/statement",
        statement_required=False,
        registry_status="not_required",
        registry_checked_on=A_DATE,
        ppn009_high_risk=True,
        ppn009_outcome="mitigate",
        ppn009_assessed_on=A_DATE,
        ppn009_assessor=_gone(),
        ppn009_notes=TEXT,
        exclusion_ground="discretionary",
        exclusion_noted_on=A_DATE,
        exclusion_notes=TEXT,
    )
    risk_assess(supplier=supplier, reason="Added to the register")  # as the register does when it is added
    return supplier


def _enhanced():
    from suppliers.models import EnhancedDueDiligence

    return EnhancedDueDiligence.objects.create(supplier=_supplier(), site_visit=True, summary=TEXT)


def _code():
    from suppliers.models import CodeOfConduct

    return CodeOfConduct.objects.create(version="3.1", clauses=TEXT, effective_from=A_DATE)


def _audit():
    from suppliers.tests.factories import AuditFactory

    return AuditFactory(planned_date=A_DATE, auditor=_gone(), auditor_name="", scope=TEXT)


def _statement():
    from reporting import models as m
    from reporting.tests.factories import StatementFactory

    # Lists in reverse choice order, as pre-fill or the API may store them.
    return StatementFactory(
        introduction=TEXT,
        progress=TEXT,
        structure_evidence="Org chart\nContracts list",
        policy_areas=[key for key, _ in m.POLICY_AREAS][:3][::-1],
        remediation=[key for key, _ in m.REMEDIATION][:2][::-1],
        risks=[
            {
                "description": TEXT,
                "area": "supply_chains",
                "tiers": ["tier2", "tier1"],
                "groups": ["women"],
                "countries": ["Poland", "Romania"],
                "mitigation": "Audits",
            }
        ],
        area_reasons={"training": "Not yet"},
        years_producing=4,
    )


def _risk():
    from reporting.tests.factories import RiskRegisterEntryFactory

    return RiskRegisterEntryFactory(owner=_gone(), description=TEXT, review_due=A_DATE)


def _meeting():
    from reporting.tests.factories import GovernanceMeetingFactory

    return GovernanceMeetingFactory(held_on=A_DATE, minutes=TEXT, actions=TEXT)


def _action_item():
    from reporting.tests.factories import ActionPlanItemFactory

    return ActionPlanItemFactory(owner=_gone(), description=TEXT, due_on=A_DATE)


def _course():
    from training.tests.factories import CourseFactory

    return CourseFactory(description=TEXT, material=TEXT, link="https://learn.example/ms", validity_months=24)


def _rule():
    from training.tests.factories import AssignmentRuleFactory

    return AssignmentRuleFactory(
        role=Group.objects.get_or_create(name=roles.STAFF)[0],
        department=DepartmentFactory(),
        employment_type="agency",
        new_starter_within_days=14,
    )


def _recruitment_check():
    from suppliers.tests.factories import SupplierFactory
    from training.tests.factories import RecruitmentCheckFactory

    return RecruitmentCheckFactory(
        dbs_checked_on=A_DATE,
        dbs_outcome="clear",
        right_to_work_document="share_code",
        right_to_work_verified_on=A_DATE,
        right_to_work_expires_on=LATER,
        contract_accessible_given_on=A_DATE,
        agency_used=True,
        # Recorded when it was an agency; since re-categorised, it must not be blanked on save.
        agency=SupplierFactory(),
        notes=TEXT,
    )


def _legal_entity():
    from compliance.models import LegalEntity

    return LegalEntity.objects.create(organisation=_organisation(), name="Test Care Homes Ltd", company_number="0999")


def _department():
    return DepartmentFactory(name="Domiciliary care")


def _site():
    return SiteFactory(name="Leeds", address="2 Low Road, Leeds")


def _country_risk():
    from suppliers.models import CountryRisk

    # The seeded tables may already hold the country (CountryRiskForm, a row of the risk settings, is tested too).
    return CountryRisk.objects.update_or_create(
        country="PL", defaults={"band": "medium", "points": 10, "source": "Global Slavery Index 2023"}
    )[0]


def _category_risk():
    from suppliers.models import CategoryRisk

    return CategoryRisk.objects.update_or_create(category="cleaning", defaults={"points": 25, "rationale": "Low pay"})[
        0
    ]


def _sub_supplier():
    from suppliers.models import SubSupplier

    supplier = _supplier()
    tier2 = SubSupplier.objects.create(supplier=supplier, name="Wholesale Ltd", country="GB", category="other")
    return SubSupplier.objects.create(
        supplier=supplier, name="Glove Works", country="MY", category="medical_ppe", tier=3, parent=tier2
    )


def _first_responder():
    from safeguarding.tests.factories import FirstResponderFactory

    # An organisation no longer designated: inactive, kept on the list for past referrals.
    return FirstResponderFactory(name="Former Anti-Trafficking Project", category="charity", active=False)


STORED = {
    "Organisation": _organisation,
    "FirstResponder": _first_responder,
    "User": _person,
    "Supplier": _supplier,
    "EnhancedDueDiligence": _enhanced,
    "CodeOfConduct": _code,
    "Audit": _audit,
    "Statement": _statement,
    "RiskRegisterEntry": _risk,
    "GovernanceMeeting": _meeting,
    "ActionPlanItem": _action_item,
    "Course": _course,
    "AssignmentRule": _rule,
    "RecruitmentCheck": _recruitment_check,
    "LegalEntity": _legal_entity,
    "Department": _department,
    "Site": _site,
    "CountryRisk": _country_risk,
    "CategoryRisk": _category_risk,
    "SubSupplier": _sub_supplier,
}


def test_every_model_form_has_a_stored_record_here():
    missing = {name for name, cls in MODEL_FORMS.items() if cls._meta.model.__name__ not in STORED}
    assert not missing, f"add a stored record for {sorted(missing)} to STORED"


def stored_row(obj) -> dict:
    """Every stored column and many-to-many set, minus the ones that change on any save."""
    obj.refresh_from_db()
    row = {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if not getattr(f, "auto_now", False) and f.attname != "password"
    }
    for f in obj._meta.many_to_many:
        row[f.name] = sorted(getattr(obj, f.name).values_list("pk", flat=True))
    return row


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MODEL_FORMS))
def test_model_form_saved_unchanged_changes_nothing(name):
    form_class = MODEL_FORMS[name]
    obj = STORED[form_class._meta.model.__name__]()
    before = stored_row(obj)

    html = form_class(instance=obj).as_div()
    data = browser_form_data(html)
    form = form_class(data=data, instance=type(obj).objects.get(pk=obj.pk))

    assert form.is_valid(), form.errors.as_text()
    assert form.changed_data == [], f"{name}: nothing was touched, yet {form.changed_data} changed"
    form.save()
    assert stored_row(obj) == before


# --- forms that start from a date (today, the stored one): the date survives the browser -------


def _construct(cls):
    try:
        return cls()
    except TypeError:
        return None  # needs a record or a request; covered by a view test or the browser test


@pytest.mark.django_db
def test_a_prefilled_date_is_submitted_as_it_was_shown():
    # One test over every plain form rather than a parametrised one that skips the many
    # forms without a date: CI treats a skip as a missing service, not as "nothing to do".
    checked = []
    for name in sorted(n for n in FORMS if n not in MODEL_FORMS):
        form = _construct(FORMS[name])
        if form is None or not any(isinstance(f, forms.DateField) for f in form.fields.values()):
            continue
        data = browser_form_data(form.as_div())
        bound = FORMS[name](data=data)
        for field_name, field in bound.fields.items():
            if isinstance(field, forms.DateField) and form.get_initial_for_field(field, field_name):
                assert field_name not in bound.changed_data, f"{name}.{field_name}: the pre-filled date was lost"
        checked.append(name)
    assert checked, "no plain form with a date was found: the collection above is broken"


def test_the_browser_rules_drop_a_british_date_and_send_crlf():
    # The helper must be as strict as Chromium, or the tests above prove nothing.
    data = browser_form_data(
        '<input type="date" name="a" value="01/12/2026"><input type="date" name="b" value="2026-12-01">'
        '<textarea name="t">\none\ntwo</textarea><select name="s"><option value="x">X</option></select>'
        '<input type="checkbox" name="c"><input type="checkbox" name="d" checked>'
    )
    assert data.dict() == {"a": "", "b": "2026-12-01", "t": "one\r\ntwo", "s": "x", "d": "on"}
