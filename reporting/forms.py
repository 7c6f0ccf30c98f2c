"""Forms for reporting: validation a person sees, keeping what they typed."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from compliance.models import User
from compliance.widgets import DateInput, RoundTripMixin, Textarea, keep_current_choice, round_trip_formfield
from reporting import models as m
from reporting.models import ActionPlanItem, GovernanceMeeting, RiskRegisterEntry, Statement

_DATE = DateInput()


def _multi(choices, label):
    return forms.MultipleChoiceField(choices=choices, label=label, required=False, widget=forms.CheckboxSelectMultiple)


class StatementStartForm(forms.Form):
    class Mode:
        NEW = "new"
        CARRY = "carry"

    financial_year = forms.IntegerField(
        label="Financial year ending in",
        min_value=2015,
        max_value=2100,
        help_text="e.g. 2026 for April 2025 to March 2026",
    )
    mode = forms.ChoiceField(
        label="Start from",
        choices=[
            (Mode.NEW, "A new draft pre-filled with this year's figures"),
            (Mode.CARRY, "No change from last year: carry last year's approved statement forward"),
        ],
        widget=forms.RadioSelect,
        initial=Mode.NEW,
    )


class StatementForm(RoundTripMixin, forms.ModelForm):
    policy_areas = _multi(m.POLICY_AREAS, "Our policies cover")
    training_audiences = _multi(m.TRAINING_AUDIENCES, "Training was given to")
    monitoring_partners = _multi(m.MONITORING_PARTNERS, "We work with these partners to monitor working conditions")
    social_audits = _multi(m.SOCIAL_AUDITS, "Social audits")
    grievance_mechanisms = _multi(m.GRIEVANCE_MECHANISMS, "Grievance mechanisms")
    risk_locations = _multi(m.RISK_LOCATIONS, "Where the risks are")
    affected_groups = _multi(m.AFFECTED_GROUPS, "Groups the risks affect")
    ilo_indicators = _multi(m.ILO_INDICATORS, "ILO forced labour indicators found (leave empty for none)")
    remediation = _multi(m.REMEDIATION, "Remediation taken")

    class Meta:
        formfield_callback = round_trip_formfield
        model = Statement
        fields = [
            "title",
            "introduction",
            *[name for key, _, _ in Statement.SECTIONS for name in (key, f"{key}_evidence")],
            "progress",
            "next_steps",
            "policy_areas",
            "training_audiences",
            "monitoring_partners",
            "social_audits",
            "grievance_mechanisms",
            "risk_description",
            "risk_locations",
            "affected_groups",
            "risk_countries",
            "ilo_indicators",
            "remediation",
            "progress_measurement",
            "key_achievements",
            "years_producing",
        ]
        labels = {key: heading for key, heading, _ in Statement.SECTIONS} | {
            f"{key}_evidence": f"Evidence for “{heading}” (one per line)" for key, heading, _ in Statement.SECTIONS
        }
        widgets = {f"{key}_evidence": Textarea(attrs={"rows": 3}) for key, _, _ in Statement.SECTIONS}


class StatementApproveForm(forms.Form):
    approved_on = forms.DateField(label="Date the Board approved it", widget=_DATE)
    meeting = forms.ModelChoiceField(
        label="Meeting", queryset=GovernanceMeeting.objects.none(), required=False, empty_label="(not recorded here)"
    )
    minute = forms.CharField(label="Minute reference", max_length=200, required=False)

    def __init__(self, *args, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        if meetings is not None:
            self.fields["meeting"].queryset = meetings


class StatementSignForm(forms.Form):
    signatory_title = forms.CharField(label="Your job title, as it appears under the signature", max_length=200)
    signed_on = forms.DateField(label="Date signed", widget=_DATE, initial=timezone.localdate)


class StatementPublishForm(forms.Form):
    published_on = forms.DateField(label="Date published", widget=_DATE, initial=timezone.localdate)
    url = forms.URLField(
        label="Website address of the published statement",
        required=False,
        assume_scheme="https",
        help_text="Leave empty to use this application's public statement page.",
    )


class ActionsFromStatementForm(forms.Form):
    owner = forms.ModelChoiceField(label="Owner of the new actions", queryset=User.objects.none())
    due_on = forms.DateField(label="Due by", widget=_DATE)

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners if owners is not None else User.objects.filter(is_active=True)


class BoardReportRequestForm(forms.Form):
    financial_year = forms.IntegerField(label="Financial year ending in", min_value=2015, max_value=2100)


class PeriodForm(forms.Form):
    PERIODS = [
        ("year", "Financial year"),
        ("quarter", "Quarter"),
        ("month", "Month"),
        ("custom", "Custom dates"),
    ]
    period = forms.ChoiceField(label="Period", choices=PERIODS, required=False, initial="year")
    on = forms.DateField(label="Containing the date", widget=_DATE, required=False)
    start = forms.DateField(label="From", widget=_DATE, required=False)
    end = forms.DateField(label="To", widget=_DATE, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select" if name == "period" else "form-control"

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            if not data.get("start") or not data.get("end"):
                raise forms.ValidationError("Give both dates for a custom period.")
            if data["end"] < data["start"]:
                self.add_error("end", "The end date is before the start date.")
            elif (data["end"] - data["start"]).days > 3 * 366:
                self.add_error("end", "Choose a period of at most three years.")
        return data


# --- Governance --------------------------------------------------------------------------


def _active_people():
    return User.objects.filter(is_active=True).order_by("full_name")


class RiskEntryForm(forms.ModelForm):
    class Meta:
        formfield_callback = round_trip_formfield
        model = RiskRegisterEntry
        fields = [
            "title",
            "area",
            "description",
            "likelihood",
            "impact",
            "owner",
            "mitigations",
            "review_due",
            "status",
        ]
        widgets = {"review_due": _DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keep_current_choice(self, "owner", _active_people())


class RiskReviewForm(forms.Form):
    likelihood = forms.IntegerField(label="Likelihood now (1 to 5)", min_value=1, max_value=5)
    impact = forms.IntegerField(label="Impact now (1 to 5)", min_value=1, max_value=5)
    changes = forms.CharField(label="What changed", widget=Textarea(attrs={"rows": 3}))
    next_review_due = forms.DateField(label="Next review due", widget=_DATE)

    def clean_next_review_due(self):
        value = self.cleaned_data["next_review_due"]
        if value <= timezone.localdate():
            raise forms.ValidationError("The next review must be after today.")
        return value


class RegisterReviewForm(forms.Form):
    reviewed_on = forms.DateField(label="Date of the review", widget=_DATE, initial=timezone.localdate)
    summary = forms.CharField(label="What changed in the register", widget=Textarea(attrs={"rows": 4}))
    meeting = forms.ModelChoiceField(
        label="Meeting where it was reviewed", queryset=GovernanceMeeting.objects.none(), required=False
    )
    next_review_due = forms.DateField(
        label="Next annual review due",
        widget=_DATE,
        initial=lambda: timezone.localdate() + datetime.timedelta(days=365),
    )

    def __init__(self, *args, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        if meetings is not None:
            self.fields["meeting"].queryset = meetings


class MeetingForm(forms.ModelForm):
    class Meta:
        formfield_callback = round_trip_formfield
        model = GovernanceMeeting
        fields = ["held_on", "body", "title", "minutes", "decisions", "actions"]
        widgets = {"held_on": _DATE}


class ActionItemForm(forms.ModelForm):
    class Meta:
        formfield_callback = round_trip_formfield
        model = ActionPlanItem
        fields = ["title", "description", "owner", "due_on", "financial_year"]
        widgets = {"due_on": _DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keep_current_choice(self, "owner", _active_people())


class ActionProgressForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=ActionPlanItem.Status.choices)
    note = forms.CharField(label="Progress note", widget=Textarea(attrs={"rows": 3}), required=False)
