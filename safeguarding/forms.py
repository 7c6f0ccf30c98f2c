"""Forms a person fills in: reporting a concern, following it up, and working a case."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from compliance.model_choices import ShortModelChoiceField, offer_rows
from compliance.models import PersonPick, Site
from compliance.widgets import DateInput, Textarea, pick_person, round_trip_formfield, search_select
from safeguarding.models import (
    INTAKE_CHANNEL_CHOICES,
    AgeGroup,
    Answer,
    ExploitationPlace,
    FirstResponder,
    Indicator,
    Outcome,
    Referral,
    ReferralOutcome,
    RiskLevel,
    SubjectType,
)
from safeguarding.uploads import ALLOWED_DESCRIPTION, check_uploads
from suppliers.models import Supplier
from suppliers.selectors import supplier_choices

YES_NO = [("no", _("No")), ("yes", _("Yes: someone is in immediate danger"))]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field, each checked by content (not by its name)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        single = super().clean
        files = [single(f, initial) for f in files]
        try:
            check_uploads(files)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["attachments"]) from exc
        return files


class ConcernForm(forms.Form):
    """What a reporter tells us, with the immediate-danger question first."""

    error_title = _("Your report has not been sent yet.")  # heading of the error summary (partials/form_errors.html)

    immediate_danger = forms.ChoiceField(
        label=_("Is anyone in immediate danger?"),
        choices=YES_NO,
        initial="no",
        widget=forms.RadioSelect,
        help_text=_("If yes, call 999 now, before you finish this form."),
        error_messages={"required": _("Say whether anyone is in immediate danger.")},
    )
    subject_type = forms.ChoiceField(
        label=_("Who is the concern about?"),
        choices=SubjectType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say who the concern is about (choose “Not known” if you are not sure).")},
    )
    site = ShortModelChoiceField(
        label=_("Where did it happen?"),
        queryset=Site.objects.all(),
        required=False,
        empty_label=_("Not at one of our sites"),
    )
    location_text = forms.CharField(
        label=_("Where, if not one of our sites"),
        max_length=255,
        required=False,
        help_text=_("e.g. a client's home address or a street"),
    )
    indicators = forms.MultipleChoiceField(
        label=_("What signs did you notice?"),
        choices=Indicator.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick all that apply. You do not need to be sure."),
    )
    indicators_other = forms.CharField(label=_("Other signs"), max_length=500, required=False)
    narrative = forms.CharField(
        label=_("What happened?"),
        widget=Textarea(attrs={"rows": 6}),
        help_text=_("In your own words: what you saw or were told, who was involved, and anything said."),
        error_messages={"required": _("Tell us what happened, in your own words.")},
    )
    occurred_on = forms.DateField(
        label=_("When did it happen?"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave blank if you are not sure."),
    )
    supplier_named = forms.CharField(
        label=_("Is a supplier or agency involved? Its name, if you know it"),
        max_length=200,
        required=False,
        help_text=_("e.g. the agency that sent the worker, or the company on a van or uniform."),
    )
    attachments = MultipleFileField(
        label=_("Photos or documents (optional)"),
        help_text=format_lazy(_("{types}; each up to the size limit."), types=ALLOWED_DESCRIPTION),
    )

    def __init__(self, *args, can_report_on_behalf: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if can_report_on_behalf:
            self.fields["on_behalf_of"] = forms.CharField(
                label=_("Logging this for someone else? Their name"),
                max_length=200,
                required=False,
                help_text=_(
                    "Line managers: if a member of your team raised this with you, give their name. Leave blank if it is your own concern."
                ),
            )

    def clean(self):
        data = super().clean()
        if Indicator.OTHER in data.get("indicators", []) and not data.get("indicators_other", "").strip():
            self.add_error("indicators_other", _("Describe the other sign you noticed."))
        occurred = data.get("occurred_on")
        if occurred and occurred > timezone.localdate():
            self.add_error("occurred_on", _("The date cannot be in the future."))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "immediate_danger": data["immediate_danger"] == "yes",
            "subject_type": data["subject_type"],
            "site": data.get("site"),
            "location_text": data.get("location_text", ""),
            "indicators": data.get("indicators", []),
            "indicators_other": data.get("indicators_other", ""),
            "narrative": data["narrative"],
            "occurred_on": data.get("occurred_on"),
            "supplier_named": data.get("supplier_named", ""),
            "attachments": data.get("attachments", []),
        }


class AnonymousConcernForm(ConcernForm):
    reporter_contact = forms.CharField(
        label=_("How can we contact you? (optional)"),
        max_length=200,
        required=False,
        help_text=_("Only if you want us to. Leave blank to stay anonymous: your receipt code is enough to follow up."),
    )

    def service_kwargs(self) -> dict:
        return {**super().service_kwargs(), "reporter_contact": self.cleaned_data.get("reporter_contact", "")}


class IntakeForm(ConcernForm):
    """The Lead or the Safeguarding team writes down a concern received by phone, in person or by letter.

    The same questions as the report form (and the same service), asked of the person taking it, in
    English: this is a case worker's page, not the reporting journey.
    """

    error_title = "The concern has not been recorded yet."
    LABELS = {
        "immediate_danger": "Is anyone in immediate danger?",
        "subject_type": "Who is the concern about?",
        "site": "Where did it happen?",
        "indicators": "Signs described",
        "narrative": "What the caller or writer said",
        "occurred_on": "When it happened",
        "supplier_named": "Supplier or agency named",
        "attachments": "Letter or documents received (optional)",
    }

    channel = forms.ChoiceField(
        label="Received by",
        choices=INTAKE_CHANNEL_CHOICES,
        widget=forms.RadioSelect,
    )
    caller_name = forms.CharField(
        label="Their name (optional)",
        max_length=200,
        required=False,
        help_text="Leave blank if they did not want to give it. Only the Lead, and whoever the Lead shares it with, sees it.",
    )
    caller_contact = forms.CharField(
        label="How to contact them (optional)",
        max_length=200,
        required=False,
        help_text="A phone number or address they agreed to; protected like their name.",
    )
    issue_receipt_code = forms.BooleanField(
        label="Give them a receipt code to follow up online",
        required=False,
        help_text="Shown once on the next page, for you to read out or write back; it cannot be shown again.",
    )

    field_order = ["channel", "caller_name", "caller_contact", "issue_receipt_code", "immediate_danger"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in self.LABELS.items():
            self.fields[name].label = label
        self.fields["immediate_danger"].choices = [("no", "No"), ("yes", "Yes: someone is in immediate danger")]
        self.fields["immediate_danger"].help_text = "If yes, make sure 999 has been called."
        self.fields[
            "narrative"
        ].help_text = "Their words as closely as you can: what they saw or were told, who, where."
        self.fields["indicators"].help_text = ""
        self.fields["occurred_on"].help_text = ""
        self.fields["supplier_named"].help_text = ""
        self.order_fields(self.field_order)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            **super().service_kwargs(),
            "channel": data["channel"],
            "on_behalf_of": data.get("caller_name", ""),
            "reporter_contact": data.get("caller_contact", ""),
            "issue_receipt_code": bool(data.get("issue_receipt_code")),
        }


class ReceiptCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Your receipt code"),
        max_length=40,
        # Its own words rather than Django's "This field is required.", which not every language has.
        error_messages={"required": _("Enter your receipt code to see your report.")},
        help_text=_("The code you were given when you reported, e.g. ABCD-EFGH-IJKL-MNOP-QRST-UVWX."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class ReporterAddForm(forms.Form):
    body = forms.CharField(
        label=_("Anything to add, or your answer"), widget=Textarea(attrs={"rows": 4}), required=False
    )
    attachments = MultipleFileField(label=_("Files (optional)"), help_text=ALLOWED_DESCRIPTION)

    def clean(self):
        data = super().clean()
        if not data.get("body", "").strip() and not data.get("attachments"):
            raise ValidationError(_("Write the extra information, or attach a file."))
        return data


# --- case work ---------------------------------------------------------------


class TriageForm(forms.Form):
    risk_level = forms.ChoiceField(label="Risk level", choices=[("", "Choose…")] + RiskLevel.choices)
    assignee = ShortModelChoiceField(label="Assign to", queryset=None, required=False, empty_label="Nobody yet")
    linked_supplier = forms.ModelChoiceField(
        label="Supplier in the register (optional)", queryset=None, required=False, empty_label="None"
    )
    note = forms.CharField(label="Triage note (optional)", widget=Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, user=None, people=None, **kwargs):
        from safeguarding.selectors import case_workers

        super().__init__(*args, **kwargs)
        # ``people``: case_workers() as the page already built it for another form.
        self.fields["assignee"].queryset = case_workers() if people is None else people
        # The register as the triaging user may read it (the same rule as the API's supplier search):
        # an id outside it is refused, and nobody is offered anything without a user.
        self.fields["linked_supplier"].queryset = supplier_choices(user=user) if user else Supplier.objects.none()
        search_select(self, "linked_supplier", source="api-supplier-search", search=("name", "registration_number"))


class StepNoteForm(forms.Form):
    note = forms.CharField(label="Note (optional)", widget=Textarea(attrs={"rows": 2}), required=False)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=[("", "Choose…")] + Outcome.choices, required=False)
    summary = forms.CharField(label="Summary", widget=Textarea(attrs={"rows": 3}), required=False)


class ReopenForm(forms.Form):
    reason = forms.CharField(label="Why reopen?", widget=Textarea(attrs={"rows": 2}), required=False)


class LegalHoldForm(forms.Form):
    hold = forms.TypedChoiceField(
        label="Legal hold",
        choices=[("1", "Place a legal hold: keep this case past its retention period"), ("0", "Lift the legal hold")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Why it must be kept",
        widget=Textarea(attrs={"rows": 2}),
        required=False,
        max_length=500,
        help_text="Needed to place a hold, e.g. the claim, inquiry or police investigation it is kept for.",
    )


class MaskForm(forms.Form):
    target = forms.ChoiceField(label="Where", choices=[])
    span = forms.CharField(
        label="Words to mask",
        widget=Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="Copy them exactly. Every place they appear in that text becomes [masked] on every page, "
        "PDF, export and API answer; you can still see the original in the unmasked view.",
    )
    reason = forms.CharField(label="Why", max_length=300, help_text="e.g. names a third party; a health detail.")

    def bind_concern(self, concern, timeline=None):
        from safeguarding.services import mask_targets

        self.fields["target"].choices = mask_targets(concern, timeline)


class SubjectAccessForm(forms.Form):
    name = forms.CharField(
        label="Their name",
        max_length=200,
        help_text="As it would be written in a report. Cases where this name appears, or that they reported, "
        "are included.",
    )
    person = forms.ModelChoiceField(
        label="Their account, if they have one",
        queryset=None,
        required=False,
        help_text="Adds the cases they reported while signed in.",
    )
    contact = forms.CharField(
        label="A phone number or email they gave",
        max_length=200,
        required=False,
        help_text="Adds the cases where they left this contact detail.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from compliance.models import User

        self.fields["person"].queryset = User.objects.pickable(PersonPick.DATA_SUBJECT)
        self.fields["person"].widget.attrs["class"] = "form-select"
        # 10,000 accounts at a large trust: a select of them all made this page 470 KB and 3 to 4 s.
        pick_person(self, "person", PersonPick.DATA_SUBJECT)


class NoteForm(forms.Form):
    body = forms.CharField(label="Internal note", widget=Textarea(attrs={"rows": 3}))


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Message to the reporter",
        widget=Textarea(attrs={"rows": 3}),
        help_text="The reporter sees this with their receipt code or in My reports. Say nothing they should not know.",
    )


class AcknowledgeForm(forms.Form):
    """Nothing to fill in: the button records that the reporter's report was acknowledged."""


class FeedbackForm(forms.Form):
    body = forms.CharField(
        label="What has been done (feedback to the reporter)",
        widget=Textarea(attrs={"rows": 4}),
        help_text="The reporter reads this with their receipt code or in My reports, and the feedback deadline "
        "is met. Say what was done or is planned, never names or anything they should not know.",
    )


def _choose(choices):
    return [("", "Choose…"), *choices]


class ReferralForm(forms.Form):
    responder = ShortModelChoiceField(
        label="Referred through",
        queryset=None,
        empty_label="Choose…",
        help_text="The first responder or agency. The Compliance admin keeps this list (Organisation > First responders).",
    )
    kind = forms.ChoiceField(label="What they were asked to do", choices=_choose(Referral.Kind.choices))
    organisation = forms.CharField(label="Team or office", max_length=200, required=False)
    made_on = forms.DateField(label="Date of referral", initial=timezone.localdate, widget=DateInput())
    contact = forms.CharField(label="Contact there", max_length=200, required=False)
    external_reference = forms.CharField(label="Their reference", max_length=100, required=False)
    age_group = forms.ChoiceField(
        label="The person's age",
        choices=AgeGroup.choices,
        initial=AgeGroup.ADULT,
        widget=forms.RadioSelect,
        help_text="If you are not sure the person is 18 or over, choose “age uncertain”: they are treated as a child.",
    )
    consent = forms.ChoiceField(
        label="Consent",
        choices=_choose(Referral.Consent.choices),
        required=False,
        help_text="An adult must consent to an NRM referral; an adult who declines is reported anonymously "
        "(Duty to Notify). Children need no consent.",
    )
    children_services_contacted = forms.BooleanField(
        label="Local authority children's services contacted", required=False
    )
    police_force = forms.CharField(label="Police force", max_length=120, required=False)
    crime_reference = forms.CharField(label="Crime reference", max_length=60, required=False)
    care_act_enquiry_reference = forms.CharField(
        label="Local authority's Care Act s.42 enquiry reference", max_length=60, required=False
    )
    exploitation_types = forms.MultipleChoiceField(
        label="Types of exploitation",
        choices=Referral.Exploitation.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    exploitation_other = forms.CharField(
        label="Details of the other exploitation", widget=Textarea(attrs={"rows": 2}), required=False
    )
    exploitation_place = forms.ChoiceField(
        label="Where the exploitation happened", choices=_choose(ExploitationPlace.choices), required=False
    )
    communication_needs = forms.CharField(
        label="Interpreter or communication needs", widget=Textarea(attrs={"rows": 2}), required=False
    )
    current_location = forms.CharField(
        label="Where the person is now", widget=Textarea(attrs={"rows": 2}), required=False
    )
    safe_contact = forms.CharField(
        label="A safe way to contact them", widget=Textarea(attrs={"rows": 2}), required=False
    )
    support_needs = forms.CharField(label="Support needs", widget=Textarea(attrs={"rows": 2}), required=False)
    fears_reexploitation = forms.ChoiceField(
        label="Do they fear being exploited again?", choices=_choose(Answer.choices), required=False
    )
    other_victims = forms.ChoiceField(
        label="Are there other potential victims?", choices=_choose(Answer.choices), required=False
    )

    def __init__(self, *args, **kwargs):
        from safeguarding.selectors import first_responder_choices

        super().__init__(*args, **kwargs)
        self.fields["responder"].queryset = first_responder_choices()


class ReferralOutcomeForm(forms.Form):
    referral = ShortModelChoiceField(label="Referral", queryset=Referral.objects.none())
    outcome = forms.ChoiceField(label="Outcome they reported", choices=_choose(ReferralOutcome.choices), required=False)
    outcome_on = forms.DateField(label="Date of the outcome", widget=DateInput(), required=False)
    notes = forms.CharField(label="Notes (optional)", widget=Textarea(attrs={"rows": 2}), required=False)
    external_reference = forms.CharField(label="Their reference (if new)", max_length=100, required=False)
    children_services_contacted = forms.BooleanField(
        label="Local authority children's services contacted",
        required=False,
        help_text="Needed before a child's referral (or one for a person of uncertain age) is recorded complete.",
    )

    def bind_concern(self, concern, referrals: list | None = None):
        # Only this case's referrals can be chosen; the case page offers those it already read (in this order).
        field = self.fields["referral"]
        field.queryset = concern.referrals.select_related("responder")
        if referrals is not None:
            offer_rows(field, referrals)
        field.label_from_instance = lambda r: (
            f"{r.get_kind_display()} through {r.responder_name} on {r.made_on:%d %b %Y}"
        )


class FirstResponderForm(forms.ModelForm):
    class Meta:
        model = FirstResponder
        fields = ["name", "category", "is_nrm_first_responder", "has_duty_to_notify", "active"]
        formfield_callback = round_trip_formfield


class CqcNotificationForm(forms.Form):
    notified_on = forms.DateField(label="Date CQC was notified", initial=timezone.localdate, widget=DateInput())
    cqc_reference = forms.CharField(label="CQC's reference (optional)", max_length=60, required=False)


class AttachmentForm(forms.Form):
    file = forms.FileField(label="File", help_text=ALLOWED_DESCRIPTION)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_uploads([upload])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["attachments"]) from exc
        return upload


class IdentityGrantForm(forms.Form):
    user = ShortModelChoiceField(label="Person", queryset=None)
    reason = forms.CharField(label="Why they need to know who reported", max_length=500)

    def __init__(self, *args, people=None, **kwargs):
        from safeguarding.selectors import case_workers

        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = case_workers() if people is None else people


class ReassessForm(forms.Form):
    risk_level = forms.ChoiceField(label="Risk level", choices=RiskLevel.choices)
    assignee = ShortModelChoiceField(label="Assign to", queryset=None, required=False, empty_label="Nobody")
    reason = forms.CharField(label="Why", widget=Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, people=None, **kwargs):
        from safeguarding.selectors import case_workers

        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = case_workers() if people is None else people


# --- easy read ------------------------------------------------------------------


@dataclass(frozen=True)
class EasyReadStep:
    """One question of the easy read report: a field of the full form, asked in plain words."""

    field: str
    question: str
    hint: str = ""


def easy_read_steps(*, anonymous: bool) -> list[EasyReadStep]:
    """The easy read questions, one per screen, in the order of the full form."""
    steps = [
        EasyReadStep(
            "immediate_danger", _("Is someone in danger right now?"), _("If yes: call 999 now. Then come back.")
        ),
        EasyReadStep("subject_type", _("Who are you worried about?")),
        EasyReadStep(
            "indicators",
            _("What did you see or hear?"),
            _("Tick what you saw. You can tick more than one. You can tick none."),
        ),
        EasyReadStep("narrative", _("Tell us what happened."), _("Use your own words. Say who, what and when.")),
        EasyReadStep(
            "location_text",
            _("Where did it happen?"),
            _("Write the place. For example: the care home or the street. You can leave this blank."),
        ),
    ]
    if anonymous:
        steps.append(
            EasyReadStep(
                "reporter_contact",
                _("Can we contact you?"),
                _("You do not have to say. If you want us to contact you, write a phone number or email."),
            )
        )
    return steps


def easy_read_form(form: ConcernForm, steps: list[EasyReadStep]) -> ConcernForm:
    """The same form in easy read words: each question plain, a plain Yes, and no sign that needs a second box."""
    for step in steps:
        field = form.fields[step.field]
        field.label, field.help_text = step.question, step.hint
    form.fields["immediate_danger"].choices = [("no", _("No")), ("yes", _("Yes"))]
    form.fields["indicators"].choices = [c for c in Indicator.choices if c[0] != Indicator.OTHER]
    return form
