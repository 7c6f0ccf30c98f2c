"""Factories for reporting records, on top of the core ones."""

import datetime

import factory
from django.utils import timezone

from compliance import roles
from compliance.tests.factories import UserFactory
from reporting.models import ActionPlanItem, GovernanceMeeting, RiskRegisterEntry, Statement


class GovernanceMeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GovernanceMeeting

    held_on = datetime.date(2025, 6, 10)
    body = GovernanceMeeting.Body.BOARD
    title = "Board meeting"
    minutes = "The Board considered the modern slavery report."
    decisions = "Approve the statement."
    recorded_by = factory.SubFactory(UserFactory, roles=[roles.MODERN_SLAVERY_LEAD])


class RiskRegisterEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskRegisterEntry

    title = factory.Sequence(lambda n: f"Risk {n}")
    area = RiskRegisterEntry.Area.AGENCY_STAFF
    likelihood = 3
    impact = 4
    owner = factory.SubFactory(UserFactory)
    mitigations = "Approved agencies only; fee checks."
    review_due = datetime.date(2026, 12, 31)
    status = RiskRegisterEntry.Status.OPEN
    closed_at = factory.LazyAttribute(lambda o: o.created_at if o.status == RiskRegisterEntry.Status.CLOSED else None)
    created_at = factory.LazyFunction(timezone.now)


class ActionPlanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionPlanItem

    title = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.SubFactory(UserFactory)
    due_on = datetime.date(2026, 9, 30)
    financial_year = 2026


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Statement

    financial_year = 2025
    version = 1
    period_start = factory.LazyAttribute(lambda o: datetime.date(o.financial_year - 1, 4, 1))
    period_end = factory.LazyAttribute(lambda o: datetime.date(o.financial_year, 3, 31))
    title = factory.LazyAttribute(lambda o: f"Test Care Ltd: statement {o.financial_year - 1}/{o.financial_year % 100}")
    introduction = "This statement sets out the steps we have taken."
    structure = "We run care homes in Leeds."
    policies = "Our Modern Slavery Policy."
    due_diligence = "We audit suppliers."
    risk_assessment = "We keep a risk register."
    effectiveness = "We measure concerns and training."
    training = "All staff are trained."
    next_steps = "Map tier 2 suppliers\nTrain procurement staff"
    created_by = factory.SubFactory(UserFactory, roles=[roles.MODERN_SLAVERY_LEAD])
