"""Bulk change history records what django-auditlog records for a one-row save."""

import pytest
from auditlog.diff import model_instance_diff

from compliance.audit_bulk import create_diff, tracked_fields
from suppliers.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db


def test_the_bulk_create_diff_equals_auditlogs_own(make_user):
    supplier = SupplierFactory(countries=["GB", "PL"], contract_owner=make_user())
    fields, _masked = tracked_fields(type(supplier))
    concrete = {f.name for f in type(supplier)._meta.concrete_fields}
    assert create_diff(supplier, fields) == model_instance_diff(None, supplier, fields_to_check=concrete)
    user = make_user(full_name="Ann Example")
    fields, _masked = tracked_fields(type(user))
    diff = create_diff(user, fields)
    concrete = {f.name for f in type(user)._meta.concrete_fields}
    assert diff == model_instance_diff(None, user, fields_to_check=concrete)
    assert "password" not in diff and diff["full_name"] == ("None", "Ann Example")
