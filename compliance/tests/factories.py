"""Factories for core records; other apps' factories build on these."""

import datetime

import factory
from django.contrib.auth.models import Group

from compliance import roles
from compliance.models import Department, Notification, Organisation, Site, User
from compliance.policy_models import Policy, PolicyVersion

PASSWORD = "correct-horse-battery-1"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Department {n}")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Site {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    legal_name = "Test Care Ltd"
    company_number = "01234567"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    job_title = "Care assistant"
    department = factory.SubFactory(DepartmentFactory)
    site = factory.SubFactory(SiteFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        names = extracted if extracted is not None else [roles.STAFF]
        if create:
            # get_or_create: transactional tests flush the groups the data migration made.
            self.groups.set([Group.objects.get_or_create(name=name)[0] for name in names])
            self.save()
            self.__dict__.pop("role_names", None)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    subject = factory.Sequence(lambda n: f"Notification {n}")
    body = "Something happened."


class PolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Policy

    title = factory.Sequence(lambda n: f"Policy {n}")


class PolicyVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyVersion

    policy = factory.SubFactory(PolicyFactory)
    number = 1
    text = "We do not tolerate modern slavery."
    effective_date = datetime.date(2026, 1, 1)
    published_at = factory.LazyFunction(lambda: datetime.datetime(2026, 1, 1, 9, tzinfo=datetime.UTC))
