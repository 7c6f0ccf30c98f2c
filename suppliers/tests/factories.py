"""Factories for supplier records, building on the core factories."""

import datetime

import factory
from django.utils import timezone

from compliance import roles
from compliance.tests.factories import UserFactory
from suppliers.models import AgencyFees, AgencyIdDocuments, Audit, CorrectiveAction, Finding, Supplier


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"Supplier {n} Ltd")
    registration_number = factory.Sequence(lambda n: f"{10000000 + n}")
    category = Supplier.Category.PROFESSIONAL
    countries = ["GB"]
    annual_spend = 10_000
    contract_owner = factory.SubFactory(UserFactory, roles=[roles.STAFF])
    contact_name = "Chris Contact"
    contact_email = factory.Sequence(lambda n: f"contact{n}@supplier.example")

    class Params:
        # An agency checked today and cleared (no fees, documents not retained).
        agency_cleared = factory.Trait(
            category=Supplier.Category.AGENCY_STAFFING,
            is_recruitment_agency=True,
            agency_fees_outcome=AgencyFees.NONE_CHARGED,
            agency_fees_checked_on=factory.LazyFunction(timezone.localdate),
            agency_fees_evidence="Contract clause 9; workers interviewed.",
            agency_ids_outcome=AgencyIdDocuments.NOT_RETAINED,
            agency_ids_checked_on=factory.LazyFunction(timezone.localdate),
            agency_ids_evidence="Workers hold their own passports.",
        )
        # An agency found to charge workers fees (prohibited).
        agency_charging_fees = factory.Trait(
            category=Supplier.Category.AGENCY_STAFFING,
            is_recruitment_agency=True,
            agency_fees_outcome=AgencyFees.CHARGED,
            agency_fees_checked_on=factory.LazyFunction(timezone.localdate),
        )
        # An agency found to retain workers' identity documents (prohibited).
        agency_retaining_ids = factory.Trait(
            category=Supplier.Category.AGENCY_STAFFING,
            is_recruitment_agency=True,
            agency_ids_outcome=AgencyIdDocuments.RETAINED,
            agency_ids_checked_on=factory.LazyFunction(timezone.localdate),
        )


class AuditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audit

    supplier = factory.SubFactory(SupplierFactory)
    planned_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    scope = "Working hours, pay records and agency use"


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    audit = factory.SubFactory(AuditFactory)
    supplier = factory.SelfAttribute("audit.supplier")
    severity = Finding.Severity.MINOR
    description = "Rota shows 72-hour weeks for night cleaners"


class CorrectiveActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CorrectiveAction

    finding = factory.SubFactory(FindingFactory)
    supplier = factory.SelfAttribute("finding.supplier")
    description = "Cap weekly hours at 48 and show the rota"
    owner = factory.SelfAttribute("supplier.contract_owner")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
