"""Factories for concerns and their records, built on the core factories."""

import factory
from django.utils import timezone

from compliance.tests.factories import SiteFactory
from safeguarding.models import Channel, Concern, FirstResponder, Indicator, Outcome, Referral, Status, SubjectType


class ConcernFactory(factory.django.DjangoModelFactory):
    """A concern as stored; tests of reporting go through the service instead."""

    class Meta:
        model = Concern

    reference = factory.Sequence(lambda n: f"MS-2026-{n + 90000:05d}")
    channel = Channel.STAFF_FORM
    reporter = None
    subject_type = SubjectType.STAFF
    site = factory.SubFactory(SiteFactory)
    indicators = factory.LazyFunction(lambda: [Indicator.EXCESSIVE_HOURS])
    narrative = "A new colleague works double shifts every day and says the agency keeps his passport."
    status = Status.NEW
    created_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=3))
    # The database requires a closed case to have an outcome and a closing date.
    outcome = factory.LazyAttribute(lambda o: Outcome.NO_FURTHER_ACTION if o.status == Status.CLOSED else "")
    closed_at = factory.LazyAttribute(lambda o: o.created_at if o.status == Status.CLOSED else None)


class FirstResponderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FirstResponder
        django_get_or_create = ("name",)

    name = "Local authority adult social care"
    category = FirstResponder.Category.LOCAL_AUTHORITY
    is_nrm_first_responder = True
    has_duty_to_notify = True


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    concern = factory.SubFactory(ConcernFactory)
    responder = factory.SubFactory(FirstResponderFactory)
    kind = Referral.Kind.SAFEGUARDING_ENQUIRY
    consent = Referral.Consent.GIVEN
    made_on = factory.LazyFunction(timezone.localdate)
