"""Annual risk review, questionnaire chasers, code of conduct re-acceptance."""

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from compliance.models import Notification
from suppliers import selectors
from suppliers.models import QuestionnaireTemplate, ReviewTask, RiskWeight, Supplier
from suppliers.questionnaire_defaults import MSAT_NAME
from suppliers.services import questionnaire as questionnaire_services
from suppliers.services import register as register_services
from suppliers.tasks import questionnaire_chasers, supplier_risk_review_due
from suppliers.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db


def test_annual_review_rescores_flags_rise_to_high_and_opens_a_task_once(procurement, lead, make_user):
    owner = make_user()
    supplier = SupplierFactory(name="Steady Catering", category="catering", contract_owner=owner, status="active")
    register_services.risk_assess(supplier=supplier)
    supplier.refresh_from_db()
    assert supplier.risk_band != "high"
    assert supplier.next_review_due == timezone.localdate() + datetime.timedelta(days=365)
    # During the year the tables are recalibrated: catering is now seen as much riskier.
    RiskWeight.objects.filter(key="band_high_from").update(value=20)

    with time_machine.travel(timezone.now() + datetime.timedelta(days=366), tick=False):
        assert supplier_risk_review_due() == 1
        assert supplier_risk_review_due() == 0  # idempotent: already reviewed today
        supplier.refresh_from_db()
        assert supplier.risk_band == "high"
        assert supplier.next_review_due == timezone.localdate() + datetime.timedelta(days=365)
    task = ReviewTask.objects.get(supplier=supplier)
    assert task.assigned_to == owner
    assert task.reason == "Annual risk review: risk rose to high"
    assert (
        Notification.objects.filter(
            recipient=owner, subject__startswith="Annual risk review due: Steady Catering"
        ).count()
        == 1
    )
    assert Notification.objects.filter(recipient=lead, subject="Supplier Steady Catering is now high risk").exists()


def test_links_in_a_contract_owners_notifications_open_for_them(client, login, make_user, procurement):
    owner = make_user()  # staff: no register access
    supplier = SupplierFactory(name="Steady Catering", category="catering", contract_owner=owner, status="active")
    register_services.risk_assess(supplier=supplier)
    RiskWeight.objects.filter(key="band_high_from").update(value=20)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=366), tick=False):
        supplier_risk_review_due()
        login(owner)
        for note in Notification.objects.filter(recipient=owner):
            if note.url:
                assert client.get(note.url).status_code == 200, (note.subject, note.url)


def test_owner_closes_their_review_task(client, make_user, login):
    owner = make_user()
    supplier = SupplierFactory(contract_owner=owner)
    task = ReviewTask.objects.create(
        supplier=supplier, assigned_to=owner, reason="Annual risk review", due_date=timezone.localdate()
    )
    login(owner)
    assert "Annual risk review" in client.get(reverse("suppliers:review_tasks")).content.decode()
    client.post(reverse("suppliers:review_task_done", args=[task.pk]), {"notes": "Checked rotas; no change"})
    task.refresh_from_db()
    assert task.status == "done"


def test_questionnaire_chasers_chase_twice_then_flag_expiry(procurement, django_capture_on_commit_callbacks):
    supplier = SupplierFactory()
    template = QuestionnaireTemplate.objects.get(name=MSAT_NAME)
    request, _token = questionnaire_services.questionnaire_send(
        supplier=supplier,
        template=template,
        actor=procurement,
        contact_name="Kim",
        contact_email="kim@x.example",
        valid_days=21,
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(timezone.now() + datetime.timedelta(days=3), tick=False):
            assert questionnaire_chasers()["chased"] == 0
        with time_machine.travel(timezone.now() + datetime.timedelta(days=8), tick=False):
            assert questionnaire_chasers()["chased"] == 1
            assert questionnaire_chasers()["chased"] == 0
        with time_machine.travel(timezone.now() + datetime.timedelta(days=15), tick=False):
            assert questionnaire_chasers()["chased"] == 1
        with time_machine.travel(timezone.now() + datetime.timedelta(days=22), tick=False):
            assert questionnaire_chasers()["expired"] == 1
            assert questionnaire_chasers()["expired"] == 0
    assert [m.subject.startswith("Reminder:") for m in mail.outbox if "kim@x.example" in m.to] == [True, True]
    request.refresh_from_db()
    assert request.status == "expired"
    assert (
        Notification.objects.filter(recipient=procurement, subject__startswith="Questionnaire unanswered").count() == 1
    )


def test_new_code_of_conduct_version_asks_active_suppliers_to_accept_again(
    client, procurement, login, make_user, django_capture_on_commit_callbacks
):
    owner = make_user()
    active = SupplierFactory(
        name="Active One", status="active", contract_owner=owner, contact_email="md@active.example"
    )
    SupplierFactory(name="Prospect", status="prospective", contract_owner=owner, contact_email="md@prospect.example")
    login(procurement)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("suppliers:conduct"),
            {
                "version": "2026.1",
                "title": "Supplier code of conduct",
                "effective_from": "2026-04-01",
                "clauses": "No worker pays recruitment fees.\n\nNo one's identity documents are retained.",
            },
        )
    note = Notification.objects.get(recipient=owner)
    assert "1 of your suppliers must accept it" in note.subject
    page = client.get(reverse("suppliers:detail", args=[active.pk])).content.decode()
    assert "Not accepted yet" in page
    code = selectors.code_of_conduct_current()
    client.post(
        reverse("suppliers:conduct_accept", args=[active.pk]),
        {
            "code": code.pk,
            "accepted_on": timezone.localdate().isoformat(),
            "signed_by_name": "Pat Signer",
            "signed_by_role": "MD",
        },
    )
    page = client.get(reverse("suppliers:detail", args=[active.pk])).content.decode()
    assert "v2026.1 accepted" in page and "Pat Signer" in page
    # Accepting the same version twice is refused with a message, not a 500.
    response = client.post(
        reverse("suppliers:conduct_accept", args=[active.pk]),
        {"code": code.pk, "accepted_on": timezone.localdate().isoformat(), "signed_by_name": "Pat Signer"},
    )
    assert "already accepted" in response.content.decode()
    assert Supplier.objects.get(pk=active.pk).events.filter(kind="conduct").count() == 2


def test_risk_tables_are_edited_in_the_app_and_readers_cannot_edit(client, procurement, board, login):
    login(board)
    assert client.get(reverse("suppliers:risk_settings")).status_code == 200
    assert client.post(reverse("suppliers:risk_settings"), {}).status_code == 403
    login(procurement)
    page = client.get(reverse("suppliers:risk_settings"))
    form = page.context["weight_form"]
    data = {f"w-{w.key}": w.value for w in form.weights}
    data["w-labour_agency"] = 40
    for prefix, formset in (("countries", page.context["countries"]), ("categories", page.context["categories"])):
        data[f"{prefix}-TOTAL_FORMS"] = formset.total_form_count()
        data[f"{prefix}-INITIAL_FORMS"] = formset.initial_form_count()
        for i, f in enumerate(formset.forms):
            for name, field in f.fields.items():
                value = f.initial.get(name, field.initial)
                if value is not None and name != "DELETE":
                    data[f"{prefix}-{i}-{name}"] = (
                        getattr(value, "code", value)
                        if name == "country"
                        else (value.pk if hasattr(value, "pk") else value)
                    )
    response = client.post(reverse("suppliers:risk_settings"), data)
    assert response.status_code == 302, response.context["weight_form"].errors if response.context else ""
    weight = RiskWeight.objects.get(key="labour_agency")
    assert weight.value == 40
    # The tables drive every score: the change is kept in the history with who made it.
    entry = LogEntry.objects.get_for_object(weight).latest("timestamp")
    assert entry.actor == procurement and entry.changes_dict["value"][1] == "40"


def test_risk_tables_change_only_through_the_service_for_managers(board):
    with pytest.raises(PermissionDenied):
        register_services.risk_tables_update(actor=board, weights={"labour_agency": 1})
    assert RiskWeight.objects.get(key="labour_agency").value != 1


def test_supplier_tasks_are_scheduled_daily(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for name in (
        "supplier_risk_review_due",
        "corrective_action_escalation",
        "questionnaire_chasers",
        "lsas_expiry_reminders",
        "registry_check_reminders",
        "agency_checks_due",
    ):
        assert f"suppliers.tasks.{name}" in tasks
