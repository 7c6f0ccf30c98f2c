"""Factories for training records, built on the core factories."""

import datetime

import factory

# The policy models are compliance's; their factories live beside them (imported here for older tests).
from compliance.tests.factories import PolicyFactory, PolicyVersionFactory, UserFactory  # noqa: F401
from training.models import AssignmentRule, Course, RecruitmentCheck, TrainingRecord


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"course-{n}")
    title = factory.Sequence(lambda n: f"Course {n}")
    kind = Course.Kind.REFRESHER
    validity_months = 12


class AssignmentRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssignmentRule

    course = factory.SubFactory(CourseFactory)


class TrainingRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingRecord

    user = factory.SubFactory(UserFactory)
    course = factory.SubFactory(CourseFactory)
    assigned_on = factory.LazyFunction(lambda: datetime.date(2026, 1, 1))
    due_on = factory.LazyAttribute(lambda o: o.assigned_on + datetime.timedelta(days=30))


class RecruitmentCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecruitmentCheck

    worker = factory.SubFactory(UserFactory)
