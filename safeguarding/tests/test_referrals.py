"""Referrals through a first responder: consent and age rules, what the first responder asks for,
outcomes (children's services first for a child), the outcome-chase clock and the CQC prompt."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from compliance.models import Notification
from safeguarding import services, tasks
from safeguarding.first_responder_defaults import FIRST_RESPONDERS, seed_first_responders
from safeguarding.models import (
    AgeGroup,
    FirstResponder,
    Outcome,
    Referral,
    ReferralOutcome,
    Status,
    SubjectType,
    TimelineEntry,
)
from safeguarding.tests.factories import ConcernFactory, FirstResponderFactory, ReferralFactory

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


def _case(status=Status.INVESTIGATING, **kw):
    return ConcernFactory(status=status, risk_level="high", **kw)


@pytest.fixture
def council():
    return FirstResponderFactory()


@pytest.fixture
def charity():
    return FirstResponderFactory(
        name="The Salvation Army",
        category=FirstResponder.Category.CHARITY,
        is_nrm_first_responder=True,
        has_duty_to_notify=False,
    )


@pytest.fixture
def helpline():
    return FirstResponderFactory(
        name="Modern Slavery & Exploitation Helpline",
        category=FirstResponder.Category.HELPLINE,
        is_nrm_first_responder=False,
        has_duty_to_notify=False,
    )


def _refer(concern, actor, responder, **kw):
    data = {"kind": Referral.Kind.NRM, "made_on": concern.created_at.date(), "responder": responder}
    data.update(kw)
    return services.referral_record(concern=concern, actor=actor, **data)


# --- the list of first responders ----------------------------------------------


def test_the_designated_first_responders_are_seeded_and_seeding_again_adds_nothing():
    # The data migration and seed_demo both call this (a live-server test elsewhere may have flushed
    # the migrated rows, so the test seeds itself rather than trusting the migration ran last).
    seed_first_responders(FirstResponder)
    assert seed_first_responders(FirstResponder) == 0
    names = set(FirstResponder.objects.values_list("name", flat=True))
    assert {name for name, *_ in FIRST_RESPONDERS} <= names
    # The police and local authorities carry the Duty to Notify, the charities do not, the helpline
    # is not a first responder.
    assert FirstResponder.objects.get(name="The Salvation Army").is_nrm_first_responder
    assert not FirstResponder.objects.get(name="The Salvation Army").has_duty_to_notify
    assert FirstResponder.objects.get(name="Gangmasters and Labour Abuse Authority (GLAA)").has_duty_to_notify
    assert not FirstResponder.objects.get(name="Modern Slavery & Exploitation Helpline").is_nrm_first_responder


# --- consent and age ------------------------------------------------------------


def test_adult_nrm_needs_consent(lead, charity):
    concern = _case()
    with pytest.raises(ValidationError) as exc:
        _refer(concern, lead, charity, consent=Referral.Consent.REFUSED)
    assert "An adult must consent to an NRM referral" in str(exc.value)
    assert not concern.referrals.exists()
    referral = _refer(concern, lead, charity, consent=Referral.Consent.GIVEN, external_reference="NRM-123")
    concern.refresh_from_db()
    assert referral.made_by == lead and referral.responder == charity
    assert referral.consent == Referral.Consent.GIVEN
    assert concern.status == Status.REFERRED


def test_adult_who_declines_goes_through_the_duty_to_notify_of_a_public_authority(lead, council, charity):
    concern = _case()
    # Only a public authority under s.52 can notify: a charity first responder cannot.
    with pytest.raises(ValidationError) as exc:
        _refer(concern, lead, charity, kind=Referral.Kind.DUTY_TO_NOTIFY)
    assert "cannot make a Duty to Notify" in str(exc.value)
    referral = _refer(concern, lead, council, kind=Referral.Kind.DUTY_TO_NOTIFY, consent=Referral.Consent.GIVEN)
    # The Duty to Notify is the anonymous route for an adult who did not consent.
    assert referral.consent == Referral.Consent.REFUSED


def test_nrm_only_through_a_designated_first_responder(lead, helpline):
    concern = _case()
    with pytest.raises(ValidationError, match="not a designated NRM first responder"):
        _refer(concern, lead, helpline, consent=Referral.Consent.GIVEN)
    # Advice from the helpline is not an NRM referral: that is allowed.
    referral = _refer(concern, lead, helpline, kind=Referral.Kind.HELPLINE, consent=Referral.Consent.GIVEN)
    assert referral.responder == helpline


def test_child_needs_no_consent_and_never_the_duty_to_notify(client, login, lead, council):
    concern = _case()
    with pytest.raises(ValidationError, match="not through the Duty to Notify"):
        _refer(concern, lead, council, kind=Referral.Kind.DUTY_TO_NOTIFY, age_group=AgeGroup.CHILD)
    referral = _refer(concern, lead, council, age_group=AgeGroup.CHILD, consent="")
    assert referral.consent == Referral.Consent.NOT_REQUIRED
    assert referral.needs_children_services
    login(lead)
    assert "Child: contact children's services" in client.get(concern.get_absolute_url()).content.decode()


def test_age_uncertain_is_treated_as_a_child(lead, council):
    concern = _case()
    # No consent asked (an adult without consent would be refused an NRM referral) ...
    referral = _refer(concern, lead, council, age_group=AgeGroup.UNCERTAIN, consent=Referral.Consent.REFUSED)
    assert referral.treated_as_child
    assert referral.consent == Referral.Consent.NOT_REQUIRED
    assert referral.needs_children_services
    assert "Age uncertain: treated as a child." in concern.timeline.filter(kind=TimelineEntry.Kind.REFERRAL)[0].body
    # ... and, like a child, never through the Duty to Notify.
    with pytest.raises(ValidationError, match="not through the Duty to Notify"):
        _refer(concern, lead, council, kind=Referral.Kind.DUTY_TO_NOTIFY, age_group=AgeGroup.UNCERTAIN)


def test_childrens_services_must_be_contacted_before_a_child_referral_is_complete(lead, council):
    concern = _case()
    referral = _refer(concern, lead, council, age_group=AgeGroup.UNCERTAIN)
    today = concern.created_at.date()
    # An interim decision may be recorded; a final outcome may not, until children's services were contacted.
    services.referral_outcome_record(
        referral=referral, actor=lead, outcome=ReferralOutcome.RG_POSITIVE, outcome_on=today
    )
    with pytest.raises(ValidationError) as exc:
        services.referral_outcome_record(
            referral=referral, actor=lead, outcome=ReferralOutcome.CG_POSITIVE, outcome_on=today
        )
    assert "Contact the local authority children's services" in str(exc.value)
    referral.refresh_from_db()
    assert referral.outcome == ReferralOutcome.RG_POSITIVE and not referral.is_complete
    # The contact can be recorded on its own, then the referral completes.
    services.referral_outcome_record(referral=referral, actor=lead, children_services_contacted=True)
    referral = services.referral_outcome_record(
        referral=referral, actor=lead, outcome=ReferralOutcome.CG_POSITIVE, outcome_on=today
    )
    assert referral.is_complete and referral.children_services_contacted
    assert referral.reasonable_grounds_on == today and referral.conclusive_grounds_on == today


def test_an_adult_referral_completes_without_childrens_services(lead, council):
    concern = _case()
    referral = _refer(concern, lead, council, kind=Referral.Kind.SAFEGUARDING_ENQUIRY, consent="given")
    referral = services.referral_outcome_record(
        referral=referral, actor=lead, outcome=ReferralOutcome.ACCEPTED, outcome_on=concern.created_at.date()
    )
    assert referral.is_complete


def test_grounds_decisions_only_on_nrm_referrals_and_outcome_needs_a_date(lead, council):
    concern = _case()
    referral = _refer(concern, lead, council, kind=Referral.Kind.POLICE, consent="given")
    with pytest.raises(ValidationError, match="NRM referrals only"):
        services.referral_outcome_record(
            referral=referral, actor=lead, outcome=ReferralOutcome.RG_POSITIVE, outcome_on=concern.created_at.date()
        )
    with pytest.raises(ValidationError, match="Give the date of the outcome"):
        services.referral_outcome_record(referral=referral, actor=lead, outcome=ReferralOutcome.DECLINED)


def test_inactive_first_responder_and_other_exploitation_without_details_are_refused(lead, council):
    concern = _case()
    with pytest.raises(ValidationError) as exc:
        _refer(
            concern,
            lead,
            council,
            consent="given",
            exploitation_types=[Referral.Exploitation.OTHER],
        )
    assert "Describe the other exploitation" in str(exc.value)
    council.active = False
    council.save()
    with pytest.raises(ValidationError, match="no longer on the list"):
        _refer(concern, lead, council, consent="given")


# --- the page ---------------------------------------------------------------------


def test_referral_form_records_the_structured_fields(client, login, lead, council):
    concern = _case(Status.TRIAGED)
    login(lead)
    response = client.post(
        reverse("safeguarding:case_action", args=[concern.reference, "referral"]),
        {
            "referral-responder": council.pk,
            "referral-kind": "safeguarding_enquiry",
            "referral-made_on": concern.created_at.date().isoformat(),
            "referral-age_group": "adult",
            "referral-consent": "given",
            "referral-care_act_enquiry_reference": "S42-0193",
            "referral-exploitation_types": ["forced_work", "other"],
            "referral-exploitation_other": "Made to sign loan papers",
            "referral-exploitation_place": "overseas",
            "referral-communication_needs": "Tigrinya interpreter",
            "referral-current_location": "Staying with a friend in Harehills",
            "referral-safe_contact": "Text only, after 6pm",
            "referral-support_needs": "Housing and legal advice",
            "referral-fears_reexploitation": "yes",
            "referral-other_victims": "not_known",
        },
        follow=True,
    )
    assert "Referral recorded." in response.content.decode()
    referral = concern.referrals.get()
    assert referral.responder == council
    assert referral.care_act_enquiry_reference == "S42-0193"
    assert referral.exploitation_other == "Made to sign loan papers"
    assert referral.exploitation_place == "overseas" and referral.fears_reexploitation == "yes"
    assert referral.safe_contact == "Text only, after 6pm"
    html = client.get(concern.get_absolute_url()).content.decode()
    assert "Tigrinya interpreter" in html and "Care Act s.42 enquiry S42-0193" in html


def test_referral_form_keeps_the_input_and_says_why_when_consent_is_missing(client, login, lead, charity):
    concern = _case(Status.TRIAGED)
    login(lead)
    response = client.post(
        reverse("safeguarding:case_action", args=[concern.reference, "referral"]),
        {
            "referral-responder": charity.pk,
            "referral-kind": "nrm",
            "referral-made_on": concern.created_at.date().isoformat(),
            "referral-age_group": "adult",
            "referral-support_needs": "Somewhere safe to sleep",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "An adult must consent to an NRM referral" in html
    assert "Somewhere safe to sleep" in html
    assert not concern.referrals.exists()


def test_outcome_form_records_outcome_and_date(client, login, lead):
    concern = _case(Status.REFERRED)
    referral = ReferralFactory(concern=concern, kind=Referral.Kind.NRM)
    other_case_referral = ReferralFactory()
    login(lead)
    url = reverse("safeguarding:case_action", args=[concern.reference, "referral_outcome"])
    on = concern.created_at.date().isoformat()
    # A referral of another case cannot be chosen here.
    response = client.post(
        url,
        {
            "referral_outcome-referral": other_case_referral.pk,
            "referral_outcome-outcome": "declined",
            "referral_outcome-outcome_on": on,
        },
    )
    assert response.status_code == 400
    client.post(
        url,
        {
            "referral_outcome-referral": referral.pk,
            "referral_outcome-outcome": "rg_positive",
            "referral_outcome-outcome_on": on,
            "referral_outcome-notes": "Support from the Salvation Army",
            "referral_outcome-external_reference": "LA-77",
        },
    )
    referral.refresh_from_db()
    assert referral.outcome == ReferralOutcome.RG_POSITIVE and referral.external_reference == "LA-77"
    assert referral.reasonable_grounds_on == concern.created_at.date()
    assert "Positive reasonable grounds decision" in client.get(concern.get_absolute_url()).content.decode()


# --- the outcome-chase clock --------------------------------------------------------


def _chase(at, django_capture_on_commit_callbacks):
    with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
        return tasks.referral_outcome_chase.delay().get()


def _chases(user):
    return Notification.objects.filter(recipient=user, subject__startswith="Chase the referral outcome").count()


def test_assignee_is_reminded_once_per_interval_until_the_outcome_is_recorded(
    settings, client, login, lead, team_member, council, django_capture_on_commit_callbacks
):
    settings.REFERRAL_OUTCOME_CHASE_DAYS = 14
    with time_machine.travel(NOON, tick=False):
        concern = _case(assignee=team_member)
        referral = _refer(concern, lead, council, kind=Referral.Kind.POLICE, consent="given", made_on=NOON.date())
        login(lead)
        # The case page shows the clock instead of "No clock running".
        html = client.get(concern.get_absolute_url()).content.decode()
        assert "No clock running" not in html
        assert "chase by 16 Mar 2026" in html
    mail.outbox.clear()

    # Before the interval: nothing.
    assert _chase(NOON + 13 * DAY, django_capture_on_commit_callbacks) == 0
    # At 14 days the assignee (not the Lead: somebody is assigned) is told, by email through the outbox.
    assert _chase(NOON + 14 * DAY, django_capture_on_commit_callbacks) == 1
    assert [m.to for m in mail.outbox] == [[team_member.email]]
    assert concern.reference in mail.outbox[0].subject
    # Reruns within the same interval send nothing more.
    for days in (14, 15, 20, 27):
        assert _chase(NOON + days * DAY, django_capture_on_commit_callbacks) == 0
    assert _chases(team_member) == 1 and _chases(lead) == 0
    # The next interval: once more.
    assert _chase(NOON + 28 * DAY, django_capture_on_commit_callbacks) == 1
    assert _chase(NOON + 29 * DAY, django_capture_on_commit_callbacks) == 0
    assert _chases(team_member) == 2
    with time_machine.travel(NOON + 29 * DAY, tick=False):
        login(lead)  # the session idled out while time travelled
        assert "chase by 13 Apr 2026" in client.get(concern.get_absolute_url()).content.decode()

    # The outcome is recorded: the reminders stop, and the clock is gone.
    with time_machine.travel(NOON + 30 * DAY, tick=False):
        services.referral_outcome_record(
            referral=referral,
            actor=team_member,
            outcome=ReferralOutcome.NO_FURTHER_ACTION,
            outcome_on=(NOON + 30 * DAY).date(),
        )
    for days in (42, 56, 90):
        assert _chase(NOON + days * DAY, django_capture_on_commit_callbacks) == 0
    assert _chases(team_member) == 2
    with time_machine.travel(NOON + 90 * DAY, tick=False):
        login(lead)
        assert "No clock running" in client.get(concern.get_absolute_url()).content.decode()
    assert sum(e.body.startswith("Reminded") for e in concern.timeline.all()) == 2


def test_unassigned_case_reminds_the_lead_and_a_positive_rg_decision_starts_a_new_wait(
    settings, lead, council, django_capture_on_commit_callbacks
):
    settings.REFERRAL_OUTCOME_CHASE_DAYS = 10
    with time_machine.travel(NOON, tick=False):
        concern = _case(assignee=None)
        referral = _refer(concern, lead, council, consent="given", made_on=NOON.date())
    assert _chase(NOON + 10 * DAY, django_capture_on_commit_callbacks) == 1
    assert _chases(lead) == 1
    # A positive reasonable grounds decision is not the end: a conclusive one is awaited.
    with time_machine.travel(NOON + 12 * DAY, tick=False):
        services.referral_outcome_record(
            referral=referral, actor=lead, outcome=ReferralOutcome.RG_POSITIVE, outcome_on=(NOON + 12 * DAY).date()
        )
    assert _chase(NOON + 20 * DAY, django_capture_on_commit_callbacks) == 0  # 8 days into the new wait
    assert _chase(NOON + 22 * DAY, django_capture_on_commit_callbacks) == 1
    # Intervals count from the decision (day 12), not from the referral: day 30 is still the first.
    assert _chase(NOON + 30 * DAY, django_capture_on_commit_callbacks) == 0
    assert _chase(NOON + 32 * DAY, django_capture_on_commit_callbacks) == 1
    assert _chases(lead) == 3


# --- CQC ----------------------------------------------------------------------------


def _cqc_remind(at, django_capture_on_commit_callbacks):
    with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
        return tasks.cqc_notification_reminders.delay().get()


def _substantiate(concern, lead):
    return services.concern_close(
        concern=concern, actor=lead, outcome=Outcome.SUBSTANTIATED, summary="Benefits taken by the visitors."
    )


def test_substantiated_service_user_case_prompts_and_reminds_until_cqc_notification_is_recorded(
    client, login, lead, team_member, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOON, tick=False):
        concern = _case(subject_type=SubjectType.SERVICE_USER, assignee=team_member)
        login(lead)
        assert 'data-testid="cqc-prompt"' not in client.get(concern.get_absolute_url()).content.decode()
        concern = _substantiate(concern, lead)
        html = client.get(concern.get_absolute_url()).content.decode()
        assert 'data-testid="cqc-prompt"' in html and "regulation 18" in html
    mail.outbox.clear()

    # Reminded (the Lead and the assignee), once a day however often the task runs.
    assert _cqc_remind(NOON + DAY / 8, django_capture_on_commit_callbacks) == 2
    assert _cqc_remind(NOON + DAY / 4, django_capture_on_commit_callbacks) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([lead.email, team_member.email])
    assert _cqc_remind(NOON + DAY, django_capture_on_commit_callbacks) == 2

    # Recorded through the case page: the prompt goes and the reminders stop.
    with time_machine.travel(NOON + DAY, tick=False):
        login(lead)
        response = client.post(
            reverse("safeguarding:case_action", args=[concern.reference, "cqc"]),
            {"cqc-notified_on": (NOON + DAY).date().isoformat(), "cqc-cqc_reference": "CQC-INC-5521"},
            follow=True,
        )
        html = response.content.decode()
    assert "CQC notification recorded." in html
    assert 'data-testid="cqc-prompt"' not in html and "CQC-INC-5521" in html
    assert _cqc_remind(NOON + 3 * DAY, django_capture_on_commit_callbacks) == 0
    assert concern.timeline.filter(kind=TimelineEntry.Kind.CQC).count() == 1


def test_no_cqc_prompt_for_other_subjects_or_outcomes(lead, django_capture_on_commit_callbacks):
    with time_machine.travel(NOON, tick=False):
        _substantiate(_case(subject_type=SubjectType.STAFF), lead)
        services.concern_close(
            concern=_case(subject_type=SubjectType.SERVICE_USER),
            actor=lead,
            outcome=Outcome.NOT_SUBSTANTIATED,
            summary="No evidence.",
        )
    assert _cqc_remind(NOON + DAY, django_capture_on_commit_callbacks) == 0


def test_cqc_notification_only_for_service_user_cases(lead):
    concern = _case(subject_type=SubjectType.STAFF)
    with pytest.raises(ValidationError, match="does not concern one"):
        services.cqc_notification_record(concern=concern, actor=lead, notified_on=concern.created_at.date())


def test_awaiting_outcome_in_sql_matches_the_property(lead):
    concern = _case()
    day = concern.created_at.date()
    for outcome in ["", *ReferralOutcome.values]:
        ReferralFactory(concern=concern, outcome=outcome, outcome_on=day if outcome else None, made_on=day)
    referrals = list(Referral.objects.all())
    assert {r.pk for r in Referral.objects.awaiting_outcome()} == {r.pk for r in referrals if r.awaiting_outcome}
    assert {r.pk for r in Referral.objects.awaiting_outcome(waiting_since_by=day)} == {
        r.pk for r in referrals if r.awaiting_outcome
    }
    assert not Referral.objects.awaiting_outcome(waiting_since_by=day - DAY).exists()
    assert Referral.objects.awaiting_outcome().count() == 2  # none yet, and a positive RG decision


def test_the_shared_case_summary_carries_what_the_first_responder_asked_for(client, login, lead_user, council):
    """The Lead sends the case summary PDF to the first responder: the structured answers go with it."""
    from io import BytesIO

    from pypdf import PdfReader

    concern = _case()
    ReferralFactory(
        concern=concern,
        responder=council,
        exploitation_types=[Referral.Exploitation.FORCED_WORK],
        exploitation_place="overseas",
        communication_needs="Romanian interpreter, female",
        current_location="Staying with a cousin in Leeds",
        safe_contact="Call the cousin's landline after 6pm",
        support_needs="Accommodation and a GP",
        fears_reexploitation="yes",
        other_victims="not_known",
    )
    login(lead_user)
    response = client.get(reverse("safeguarding:case_summary", args=[concern.reference]))
    assert response.status_code == 200
    text = " ".join("".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages).split())
    for expected in (
        "Forced work",
        "Overseas",
        "Romanian interpreter, female",
        "Staying with a cousin in Leeds",
        "Call the cousin's landline after 6pm",
        "Accommodation and a GP",
        "Fears being exploited again Yes",
        "Other potential victims Not known",
    ):
        assert expected in text, expected
