"""Someone outside the register reaches only their own records: review tasks assigned to them, evidence they attached."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from compliance import roles
from suppliers.models import ReviewTask, SupplierDocument
from suppliers.tests.factories import CorrectiveActionFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def _task(supplier, person):
    return ReviewTask.objects.create(
        supplier=supplier, assigned_to=person, reason="Annual review", due_date=timezone.localdate()
    )


def _document(supplier, name):
    document = SupplierDocument(
        supplier=supplier, original_name=name, content_type="application/pdf", size=4, description="evidence"
    )
    document.file.save(name, ContentFile(b"%PDF"), save=False)
    document.save()
    return document


def test_review_tasks_page_is_there_only_for_a_person_with_a_task(client, make_user, login):
    owner = make_user(roles.STAFF)
    login(owner)
    assert client.get(reverse("suppliers:review_tasks")).status_code == 404
    mine = _task(SupplierFactory(name="Mine Ltd"), owner)
    theirs = _task(SupplierFactory(name="Theirs Ltd"), make_user(roles.STAFF))
    page = client.get(reverse("suppliers:review_tasks"))
    assert page.status_code == 200
    assert "Mine Ltd" in page.content.decode() and "Theirs Ltd" not in page.content.decode()
    done = reverse("suppliers:review_task_done", args=[theirs.pk])
    assert client.post(done, {"notes": "Looked"}).status_code == 404
    client.post(reverse("suppliers:review_task_done", args=[mine.pk]), {"notes": "Checked the rota."})
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == ReviewTask.Status.DONE and theirs.status == ReviewTask.Status.OPEN


def test_an_action_owner_opens_their_evidence_and_no_other_document(client, make_user, login):
    owner = make_user(roles.STAFF)
    action = CorrectiveActionFactory(owner=owner)
    evidence = _document(action.supplier, "rota.pdf")
    action.evidence_document = evidence
    action.save()
    other = _document(action.supplier, "contract.pdf")
    login(owner)
    assert client.get(reverse("suppliers:document", args=[evidence.pk])).status_code == 200
    assert client.get(reverse("suppliers:document", args=[other.pk])).status_code == 404
