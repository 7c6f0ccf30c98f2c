"""Factories for concerns and their records, built on the core factories."""

import factory
from django.utils import timezone

from compliance.tests.factories import SiteFactory
from safeguarding.models import Channel, Concern, Indicator, Outcome, Referral, Status, SubjectType


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


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    concern = factory.SubFactory(ConcernFactory)
    kind = Referral.Kind.LOCAL_AUTHORITY
    consent = Referral.Consent.GIVEN
    made_on = factory.LazyFunction(timezone.localdate)
