"""Questionnaire answers that act: severity-weighted score, findings with proposed actions, the Lead told once."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from compliance.models import Notification
from suppliers import scoring
from suppliers.models import CorrectiveAction, Finding, Question, QuestionnaireTemplate, RiskWeight
from suppliers.questionnaire_defaults import DOCUMENTS_MSAT, FEES_MSAT, MSAT_NAME
from suppliers.services import questionnaire as questionnaire_services
from suppliers.services.register import risk_assess, supplier_risk_reviews_run
from suppliers.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db

NAMED_PERSON = "Is a named senior person accountable for modern slavery risk?"


def _good(question: Question) -> str:
    if question.kind == Question.Kind.YES_NO:
        return "no" if question.gap_answer == "yes" else "yes"
    if question.kind == Question.Kind.CHOICE:
        return question.choice_list[0]
    return "Bangladesh and the UK"


def _accepted(procurement, supplier, *, gaps=(), accept=True):
    """Send the MSAT to the supplier, answer it with the gap answer for the questions in `gaps`, accept it."""
    template = QuestionnaireTemplate.objects.get(name=MSAT_NAME)
    questionnaire, _token = questionnaire_services.questionnaire_send(
        supplier=supplier, template=template, actor=procurement, contact_name="Kim", contact_email="kim@s.example"
    )
    answers = {
        q.pk: (q.gap_answer if q.text in gaps else _good(q))
        for q in Question.objects.filter(section__template=template).exclude(kind=Question.Kind.FILE)
    }
    questionnaire_services.questionnaire_save(questionnaire=questionnaire, answers=answers, submit=True)
    if accept:
        questionnaire_services.questionnaire_review(questionnaire=questionnaire, actor=procurement, accept=True)
    return questionnaire


def _lead_alerts(lead, supplier):
    return Notification.objects.filter(recipient=lead, subject__contains=supplier.name)


def test_seeded_fees_and_passport_questions_are_critical_and_others_lower():
    severities = dict(Question.objects.filter(section__template__name=MSAT_NAME).values_list("text", "severity"))
    assert severities[FEES_MSAT] == Question.Severity.CRITICAL
    assert severities[DOCUMENTS_MSAT] == Question.Severity.CRITICAL
    assert severities[NAMED_PERSON] == Question.Severity.LOW


def test_a_critical_gap_makes_the_supplier_high_risk_opens_a_finding_and_tells_the_lead_once(
    client, login, procurement, lead, django_capture_on_commit_callbacks
):
    supplier = SupplierFactory()  # professional services in the UK: 10 points, low risk
    risk_assess(supplier=supplier, reason="Added")
    assert supplier.risk_band == "low"

    questionnaire = _accepted(procurement, supplier, gaps=(FEES_MSAT,))
    supplier.refresh_from_db()

    # 25 points for the answer would leave it "low" (under 35): the critical indicator makes it high.
    assert supplier.risk_score == 25
    assert supplier.risk_band == "high"

    finding = Finding.objects.get(supplier=supplier)
    assert finding.source == Finding.Source.QUESTIONNAIRE
    assert finding.severity == Finding.Severity.CRITICAL
    assert (finding.questionnaire, finding.question.text) == (questionnaire, FEES_MSAT)
    action = CorrectiveAction.objects.get(finding=finding)
    assert action.owner == supplier.contract_owner
    assert action.due_date == timezone.localdate() + datetime.timedelta(days=14)
    assert FEES_MSAT in action.description

    alerts = _lead_alerts(lead, supplier)
    assert [a.subject for a in alerts] == [f"Supplier {supplier.name} is high risk: critical questionnaire answers"]
    assert FEES_MSAT in alerts[0].body

    # The supplier page's score explanation names the answer that moved it, and why the band is high.
    login(procurement)
    page = client.get(supplier.get_absolute_url()).content.decode()
    explanation = page[page.index('id="h-risk"') : page.index('data-testid="risk-total"')]
    assert FEES_MSAT in explanation
    assert "(critical gap)" in explanation
    assert "1 critical questionnaire gap: high risk whatever the points" in explanation

    # Accepting again is refused; rescoring, the annual review and raising the findings again change nothing.
    with pytest.raises(ValidationError):
        questionnaire_services.questionnaire_review(questionnaire=questionnaire, actor=procurement, accept=True)
    risk_assess(supplier=supplier, actor=procurement, reason="Rescored")
    supplier.next_review_due = timezone.localdate()
    supplier.save(update_fields=["next_review_due"])
    supplier_risk_reviews_run()
    assert questionnaire_services.questionnaire_findings_raise(questionnaire=questionnaire, actor=procurement) == []
    supplier.refresh_from_db()
    assert supplier.risk_band == "high"
    assert _lead_alerts(lead, supplier).count() == 1
    assert Finding.objects.filter(supplier=supplier).count() == 1
    assert CorrectiveAction.objects.filter(supplier=supplier).count() == 1


def test_a_gap_still_open_from_an_earlier_questionnaire_is_not_a_second_finding(procurement, lead):
    supplier = SupplierFactory()
    _accepted(procurement, supplier, gaps=(FEES_MSAT,))
    second = _accepted(procurement, supplier, gaps=(FEES_MSAT,))
    assert Finding.objects.filter(supplier=supplier).count() == 1
    # The new questionnaire is a new admission, so the Lead hears of it, once.
    risk_assess(supplier=supplier, reason="Rescored")
    assert _lead_alerts(lead, supplier).count() == 2
    assert scoring.supplier_score(supplier).questionnaire_id == second.pk


def test_the_explanation_lists_the_answer_and_a_low_gap_moves_the_score_without_a_finding(client, procurement, login):
    supplier = SupplierFactory()
    RiskWeight.objects.filter(key="questionnaire_gap_low").update(value=3)
    _accepted(procurement, supplier, gaps=(NAMED_PERSON,))
    supplier.refresh_from_db()

    assert supplier.risk_score == 3  # the low weight, as edited in the risk tables
    assert supplier.risk_band == "low"
    assert not Finding.objects.filter(supplier=supplier).exists()
    assert not CorrectiveAction.objects.filter(supplier=supplier).exists()

    login(procurement)
    page = client.get(supplier.get_absolute_url()).content.decode()
    explanation = page[page.index('id="h-risk"') : page.index('data-testid="risk-total"')]
    assert NAMED_PERSON in explanation
    assert "Answered “no” (low gap)" in explanation


def test_a_finding_from_a_high_gap_at_the_threshold_and_none_below_a_raised_threshold(procurement, settings):
    contract = "Do all workers receive a written contract in a language they understand?"
    supplier = SupplierFactory()
    _accepted(procurement, supplier, gaps=(contract, NAMED_PERSON))
    finding = Finding.objects.get(supplier=supplier)
    assert finding.question.text == contract
    assert finding.severity == Finding.Severity.MAJOR
    assert CorrectiveAction.objects.get(finding=finding).due_date == timezone.localdate() + datetime.timedelta(days=30)

    settings.SUPPLIER_QUESTIONNAIRE_FINDING_FROM = "critical"
    other = SupplierFactory()
    _accepted(procurement, other, gaps=(contract,))
    assert not Finding.objects.filter(supplier=other).exists()


def test_a_question_without_severity_records_the_gap_but_does_not_move_the_score(procurement):
    Question.objects.filter(text=NAMED_PERSON).update(severity=Question.Severity.NONE)
    supplier = SupplierFactory()
    _accepted(procurement, supplier, gaps=(NAMED_PERSON,))
    supplier.refresh_from_db()
    assert supplier.risk_score == 0
    # Not listed as something that moved the score either.
    assert [f.key for f in scoring.supplier_score(supplier).factors if f.key.startswith("questionnaire")] == []


def test_review_page_shows_section_scores(client, procurement, login):
    supplier = SupplierFactory()
    questionnaire = _accepted(procurement, supplier, gaps=(FEES_MSAT, DOCUMENTS_MSAT, NAMED_PERSON), accept=False)
    login(procurement)
    page = client.get(questionnaire.get_absolute_url()).content.decode()
    table = page[page.index('data-testid="section-scores"') :]
    rows = {
        title: (int(q), int(g), int(p))
        for title, q, g, p in re.findall(
            r'<th scope="row">([^<]+)</th><td class="text-end">(\d+)</td><td class="text-end">(\d+)</td>'
            r'<td class="text-end">(\d+)</td>',
            table,
        )
    }
    assert rows["Recruitment practices and fees"] == (4, 2, 50)
    assert rows["Policy and governance"] == (4, 1, 2)
    assert rows["Training"] == (1, 0, 0)
    assert "Gap, critical severity" in page


def test_procurement_sets_a_question_severity_in_the_template_editor(client, procurement, board, login):
    template = QuestionnaireTemplate.objects.get(name=MSAT_NAME)
    question = Question.objects.get(section__template=template, text=NAMED_PERSON)
    url = reverse("suppliers:template_detail", args=[template.pk])

    login(board)
    assert client.post(url, {"severity_question": question.pk, "severity": "critical"}).status_code == 403
    login(procurement)
    response = client.post(url, {"severity_question": question.pk, "severity": "high"}, follow=True)
    assert "set to high" in response.content.decode()
    question.refresh_from_db()
    assert question.severity == Question.Severity.HIGH

    # A new question carries the severity chosen for it.
    section = template.sections.first()
    client.post(
        url,
        {
            "section": section.pk,
            "text": "Do workers pay for their own uniforms?",
            "kind": "yes_no",
            "gap_answer": "yes",
            "severity": "high",
            "required": "on",
        },
    )
    assert Question.objects.get(text="Do workers pay for their own uniforms?").severity == Question.Severity.HIGH


def test_a_question_of_another_template_cannot_be_changed_through_this_one(client, procurement, login):
    msat = QuestionnaireTemplate.objects.get(name=MSAT_NAME)
    other = QuestionnaireTemplate.objects.exclude(pk=msat.pk).first()
    question = Question.objects.filter(section__template=other).exclude(gap_answer="").first()
    login(procurement)
    url = reverse("suppliers:template_detail", args=[msat.pk])
    assert client.post(url, {"severity_question": question.pk, "severity": "none"}).status_code == 404
    assert Question.objects.get(pk=question.pk).severity != Question.Severity.NONE


def test_severity_change_is_refused_by_the_service_for_a_reader(board):
    from django.core.exceptions import PermissionDenied

    question = Question.objects.get(text=NAMED_PERSON)
    with pytest.raises(PermissionDenied):
        questionnaire_services.questionnaire_question_severity_set(actor=board, question=question, severity="none")


def test_api_shows_answers_and_questionnaire_findings_to_readers_only(client, procurement, board, hr_user):
    supplier = SupplierFactory()
    questionnaire = _accepted(procurement, supplier, gaps=(DOCUMENTS_MSAT,))
    finding = Finding.objects.get(supplier=supplier)

    client.force_login(board)
    body = client.get(f"/api/v1/suppliers/questionnaires/{questionnaire.pk}/").json()
    gap = next(a for a in body["answers"] if a["question_text"] == DOCUMENTS_MSAT)
    assert (gap["value"], gap["is_gap"], gap["gap_severity"]) == ("yes", True, "critical")
    assert "token_hash" not in body and "token_seed" not in body
    listed = client.get("/api/v1/suppliers/findings/", {"source": "questionnaire"}).json()["results"]
    assert [(f["id"], f["questionnaire"], f["question_text"], f["audit"]) for f in listed] == [
        (finding.pk, questionnaire.pk, DOCUMENTS_MSAT, None)
    ]

    client.force_login(hr_user)
    assert client.get(f"/api/v1/suppliers/questionnaires/{questionnaire.pk}/").status_code == 404
    assert client.get(f"/api/v1/suppliers/findings/{finding.pk}/").status_code == 404


def test_questionnaire_api_list_keeps_a_constant_number_of_queries(client, procurement, board):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def measured():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/suppliers/questionnaires/")
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    _accepted(procurement, SupplierFactory(), gaps=(FEES_MSAT,))
    client.force_login(board)
    at_one, count = measured()
    assert count == 1
    for _ in range(4):
        # Each with a full set of answers: the answers and their questions are two queries, not one a row.
        _accepted(procurement, SupplierFactory(), accept=False)
    template = QuestionnaireTemplate.objects.get(name=MSAT_NAME)
    for n in range(45):
        questionnaire_services.questionnaire_send(
            supplier=SupplierFactory(),
            template=template,
            actor=procurement,
            contact_name="K",
            contact_email=f"k{n}@s.example",
        )
    at_fifty, count = measured()
    assert count == 50
    assert at_fifty == at_one
