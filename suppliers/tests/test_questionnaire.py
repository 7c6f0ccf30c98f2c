"""Questionnaire links: no account, save and return, single use, expiry, isolation, score."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from suppliers import scoring
from suppliers.models import Question, QuestionnaireRequest, QuestionnaireTemplate
from suppliers.questionnaire_defaults import MSAT_NAME
from suppliers.services import questionnaire as questionnaire_services
from suppliers.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db


def _send(procurement, supplier=None, **kwargs):
    supplier = supplier or SupplierFactory(name="Sparkle Cleaning Ltd")
    template = QuestionnaireTemplate.objects.get(name=MSAT_NAME)
    return questionnaire_services.questionnaire_send(
        supplier=supplier,
        template=template,
        actor=procurement,
        contact_name="Kim Contact",
        contact_email="kim@sparkle.example",
        **kwargs,
    )


def _answers(template, *, gap_for=()):
    """A full set of good answers, with a gap for the questions whose text contains any of gap_for."""
    data = {}
    for q in Question.objects.filter(section__template=template):
        if q.kind == "yes_no":
            good = "no" if q.gap_answer == "yes" else "yes"
            bad = q.gap_answer or good
            data[f"q_{q.pk}"] = bad if any(word in q.text for word in gap_for) else good
        elif q.kind == "choice":
            data[f"q_{q.pk}"] = q.choice_list[0]
        elif q.kind == "text":
            data[f"q_{q.pk}"] = "Bangladesh and the UK"
    return data


def test_msat_template_is_seeded_with_the_themes():
    template = QuestionnaireTemplate.objects.get(name=MSAT_NAME)
    titles = list(template.sections.values_list("title", flat=True))
    for theme in (
        "Policy and governance",
        "Risk assessment",
        "Due diligence",
        "Recruitment practices and fees",
        "Training",
        "Supply chain mapping",
        "Remediation and grievance",
    ):
        assert theme in titles


def _opened(client, token) -> str:
    """Open the emailed link (which swaps the token for a session) and return the token-free page's URL."""
    response = client.get(reverse("suppliers:questionnaire_public", args=[token]))
    assert response.status_code == 302 and response.url == reverse("suppliers:questionnaire_answer")
    return response.url


def test_contact_gets_an_email_with_a_link_that_works_without_an_account(
    client, procurement, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request, token = _send(procurement)
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/suppliers/q/(\S+)/", mail.outbox[0].body)
    assert link and link.group(1) == token
    response = client.get(reverse("suppliers:questionnaire_public", args=[token]), follow=True)
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin"
    assert "Recruitment practices and fees" in response.content.decode()
    assert "Sparkle Cleaning Ltd" in response.content.decode()


def test_save_and_return_keeps_answers_then_submit_closes_the_link(client, procurement):
    request, token = _send(procurement)
    url = _opened(client, token)
    question = Question.objects.filter(section__template=request.template, kind="text").first()
    client.post(url, {f"q_{question.pk}": "Vietnam", "save": "1"})
    request.refresh_from_db()
    assert request.status == "in_progress"
    assert "Vietnam" in client.get(url).content.decode()

    # Submitting with answers missing keeps what was typed and names what is missing.
    response = client.post(url, {f"q_{question.pk}": "Vietnam and Poland", "submit": "1"})
    assert response.status_code == 200
    assert "Answer this question before you submit." in response.content.decode()
    assert "Vietnam and Poland" in response.content.decode()
    # ...and what was typed is saved for when the contact comes back.
    assert request.answers.get(question=question).value == "Vietnam and Poland"
    request.refresh_from_db()
    assert request.status == "in_progress"

    response = client.post(url, {**_answers(request.template), "submit": "1"})
    assert "your answers have been submitted" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "submitted"
    # Single use: the same link now shows nothing.
    again = client.get(url)
    assert again.status_code == 404
    assert "Sparkle" not in again.content.decode()
    assert client.post(url, {**_answers(request.template), "submit": "1"}).status_code == 404


def test_link_expires(client, procurement):
    _request, token = _send(procurement, valid_days=3)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=4)):
        response = client.get(reverse("suppliers:questionnaire_public", args=[token]), follow=True)
    assert response.status_code == 404
    assert "not available" in response.content.decode()


def test_a_token_opens_only_its_own_questionnaire_and_nothing_else(client, procurement):
    other = SupplierFactory(name="Secret Other Supplier")
    _send(procurement, supplier=other)
    request, token = _send(procurement)
    page = client.get(reverse("suppliers:questionnaire_public", args=[token]), follow=True).content.decode()
    assert "Secret Other Supplier" not in page
    # The link is not a session: the register and the supplier's own page still ask to sign in.
    for url in (
        reverse("suppliers:index"),
        reverse("suppliers:detail", args=[request.supplier_id]),
        reverse("suppliers:questionnaire_review", args=[request.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url
    assert (
        client.get(reverse("suppliers:questionnaire_public", args=[token[:-2] + "xx"]), follow=True).status_code == 404
    )


def test_accepted_answers_change_the_score_and_return_sends_a_new_link(
    client, procurement, login, django_capture_on_commit_callbacks
):
    request, token = _send(procurement)
    supplier = request.supplier
    before = scoring.supplier_score(supplier)
    assert any(f.key == "questionnaire_missing" for f in before.factors)
    client.post(
        _opened(client, token),
        {**_answers(request.template, gap_for=("any workers pay fees", "passports")), "submit": "1"},
    )
    login(procurement)
    review_url = reverse("suppliers:questionnaire_review", args=[request.pk])
    assert "Gap" in client.get(review_url).content.decode()

    # Returned with comments: a new link, the old one stays dead.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(review_url, {"decision": "return", "comments": "Explain the fees."})
    request.refresh_from_db()
    assert request.status == "returned"
    new_token = re.search(r"/suppliers/q/(\S+)/", mail.outbox[-1].body).group(1)
    assert new_token != token
    assert client.get(reverse("suppliers:questionnaire_public", args=[token]), follow=True).status_code == 404
    client.logout()
    assert (
        "Explain the fees."
        in client.get(reverse("suppliers:questionnaire_public", args=[new_token]), follow=True).content.decode()
    )
    client.post(
        _opened(client, new_token),
        {**_answers(request.template, gap_for=("any workers pay fees", "passports")), "submit": "1"},
    )
    login(procurement)
    client.post(review_url, {"decision": "accept"})
    supplier.refresh_from_db()
    after = supplier.risk_assessments.first()
    keys = {f["key"]: f["points"] for f in after.factors}
    assert "questionnaire_missing" not in keys
    # Worker-paid fees and retained passports: two critical gaps, 25 points each, and high risk at once.
    assert [f["points"] for f in after.factors if f["key"] == "questionnaire_answer"] == [25, 25]
    assert after.score == before.score - 10 + 50
    assert after.band == "high"
    assert QuestionnaireRequest.objects.get(pk=request.pk).status == "accepted"


def test_board_member_can_read_answers_but_not_review(client, procurement, board, login):
    request, token = _send(procurement)
    client.post(_opened(client, token), {**_answers(request.template), "submit": "1"})
    login(board)
    url = reverse("suppliers:questionnaire_review", args=[request.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403  # refused before the form is read
    assert client.post(url, {"decision": "accept"}).status_code == 403


def test_bad_evidence_file_is_reported_against_its_question(client, procurement):
    from django.core.files.uploadedfile import SimpleUploadedFile

    request, token = _send(procurement)
    file_question = Question.objects.filter(section__template=request.template, kind="file").first()
    url = _opened(client, token)
    evil = SimpleUploadedFile("policy.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04", content_type="application/pdf")
    response = client.post(url, {f"q_{file_question.pk}": evil, "save": "1"})
    assert response.status_code == 200
    assert "This type of file is not accepted" in response.content.decode()
    assert not request.answers.exists()
    good = SimpleUploadedFile("policy.pdf", b"%PDF-1.7 our policy", content_type="application/pdf")
    client.post(url, {f"q_{file_question.pk}": good, "save": "1"})
    answer = request.answers.get(question=file_question)
    assert answer.document.content_type == "application/pdf"
    assert answer.document.supplier_id == request.supplier_id


def test_a_link_sent_to_the_wrong_person_can_be_withdrawn(client, procurement, login):
    request, token = _send(procurement)
    login(procurement)
    url = reverse("suppliers:questionnaire_review", args=[request.pk])
    response = client.post(url, {"withdraw": "1", "reason": ""}, follow=True)
    assert "Not withdrawn" in response.content.decode()
    client.post(url, {"withdraw": "1", "reason": "Sent to the wrong email address"})
    request.refresh_from_db()
    assert request.status == "cancelled"
    client.logout()
    assert client.get(reverse("suppliers:questionnaire_public", args=[token]), follow=True).status_code == 404


def test_procurement_builds_a_template_that_can_be_sent(client, procurement, board, login):
    login(board)
    assert client.get(reverse("suppliers:templates")).status_code == 200
    assert client.post(reverse("suppliers:templates"), {}).status_code == 403  # refused before the form is read
    assert client.post(reverse("suppliers:templates"), {"name": "x", "purpose": "supplier"}).status_code == 403
    login(procurement)
    client.post(reverse("suppliers:templates"), {"name": "Laundry spot questions", "purpose": "supplier"})
    template = QuestionnaireTemplate.objects.get(name="Laundry spot questions")
    url = reverse("suppliers:template_detail", args=[template.pk])
    client.post(url, {"title": "Hours"})
    section = template.sections.get()
    # A gap answer that is not one of the options is refused, keeping what was typed.
    response = client.post(
        url,
        {
            "section": section.pk,
            "text": "Do night staff get a break?",
            "kind": "yes_no",
            "gap_answer": "maybe",
            "required": "on",
        },
    )
    assert "The gap answer must be one of the options" in response.content.decode()
    assert 'value="Do night staff get a break?"' in response.content.decode()
    client.post(
        url,
        {
            "section": section.pk,
            "text": "Do night staff get a break?",
            "kind": "yes_no",
            "gap_answer": "no",
            "required": "on",
        },
    )
    request, token = questionnaire_services.questionnaire_send(
        supplier=SupplierFactory(), template=template, actor=procurement, contact_name="A", contact_email="a@x.example"
    )
    client.logout()
    assert (
        "Do night staff get a break?"
        in client.get(reverse("suppliers:questionnaire_public", args=[token]), follow=True).content.decode()
    )
    login(procurement)
    client.post(url, {"active": "0"})
    template.refresh_from_db()
    assert not template.is_active


def test_the_token_leaves_the_url_on_first_visit_and_no_log_keeps_it(client, procurement, caplog):
    from compliance.request_log import RequestLogFilter

    request, token = _send(procurement)
    response = client.get(reverse("suppliers:questionnaire_public", args=[token]))
    assert response.status_code == 302 and token not in response.url
    assert response["Referrer-Policy"] == "no-referrer"
    page = client.get(response.url)
    assert page.status_code == 200 and "Sparkle Cleaning Ltd" in page.content.decode()
    assert token not in page.content.decode()
    assert page["X-Request-ID"]
    # A dead link's 404 is logged by Django: the log line carries the request id, not the token.
    with caplog.at_level("WARNING", logger="django.request"):
        client.get(reverse("suppliers:questionnaire_public", args=["dead" + token]))
    record = next(r for r in caplog.records if "/suppliers/q/" in r.getMessage())
    RequestLogFilter().filter(record)
    assert token not in record.getMessage() and "/suppliers/q/[token]/" in record.getMessage()
    assert record.request_id != "-"


def test_a_withdrawn_link_also_ends_the_session_it_opened(client, procurement, login):
    request, token = _send(procurement)
    answer = _opened(client, token)
    questionnaire_services.questionnaire_cancel(questionnaire=request, actor=procurement, reason="Wrong address")
    assert client.get(answer).status_code == 404
    # Without a link, the token-free page shows nothing.
    client.cookies.clear()
    assert client.get(answer).status_code == 404
