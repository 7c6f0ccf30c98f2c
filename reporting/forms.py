"""Forms for reporting: validation a person sees, keeping what they typed."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from compliance.models import PersonPick, User
from compliance.widgets import (
    DateInput,
    RoundTripMixin,
    Textarea,
    keep_current_choice,
    pick_person,
    round_trip_formfield,
)
from reporting import models as reporting_models
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


def _exclusive_none(cleaned: dict, field: str, form) -> None:
    values = cleaned.get(field) or []
    if reporting_models.NONE in values and len(values) > 1:
        form.add_error(field, "“None” cannot be ticked with other answers.")


RISK_FIELDS = ("description", "area", "other_area", "tiers", "groups", "other_groups", "countries", "mitigation")
_LIST_RISK_FIELDS = ("tiers", "groups")
_LIST_ANSWERS = (
    "registry_sectors",
    "policy_areas",
    "training_audiences",
    "monitoring_partners",
    "social_audits",
    "grievance_mechanisms",
    "ilo_indicators",
    "remediation",
)


def _risk_key(risk: dict) -> tuple:
    """A risk's answers compared without regard to missing keys or tick order."""
    return tuple(
        tuple(sorted(risk.get(field) or []))
        if field in _LIST_RISK_FIELDS
        else tuple(risk.get(field) or [])
        if field == "countries"
        else risk.get(field) or ""
        for field in RISK_FIELDS
    )


class StatementForm(RoundTripMixin, forms.ModelForm):
    """The statement's text and every answer the GOV.UK registry asks, so the submission is a copy."""

    registry_sectors = _multi(reporting_models.REGISTRY_SECTORS, "Sectors (the registry's list)")
    policy_areas = _multi(reporting_models.POLICY_AREAS, "Our policies cover")
    training_audiences = _multi(reporting_models.TRAINING_AUDIENCES, "Training was given to")
    monitoring_partners = _multi(
        reporting_models.MONITORING_PARTNERS, "We work with these partners to monitor working conditions"
    )
    social_audits = _multi(reporting_models.SOCIAL_AUDITS, "Social audits")
    grievance_mechanisms = _multi(reporting_models.GRIEVANCE_MECHANISMS, "Grievance mechanisms")
    ilo_indicators = _multi(reporting_models.ILO_INDICATORS, "ILO forced labour indicators found")
    remediation = _multi(reporting_models.REMEDIATION, "Remediation taken")

    class Meta:
        formfield_callback = round_trip_formfield
        model = Statement
        fields = [
            *[
                name
                for name in reporting_models.STATEMENT_TEXT_FIELDS
                if name not in reporting_models.STATEMENT_STRUCTURED_ANSWERS
            ],
            # Not copied with the text: a new year counts one more (statement_create), but the Lead may correct it.
            "years_producing",
        ]
        labels = {key: heading for key, heading, _ in Statement.SECTIONS} | {
            f"{key}_evidence": f"Evidence for “{heading}” (one per line)" for key, heading, _ in Statement.SECTIONS
        }
        widgets = {f"{key}_evidence": Textarea(attrs={"rows": 3}) for key, _, _ in Statement.SECTIONS} | {
            "other_monitoring": Textarea(attrs={"rows": 2})
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        statement = self.instance
        # Why an area is not covered: the registry asks for a reason for each one left out.
        for key, heading, _ in Statement.SECTIONS:
            self.fields[f"reason_{key}"] = forms.CharField(
                label=f"If the statement does not cover “{heading}”, why not",
                required=False,
                max_length=1000,
                initial=(statement.area_reasons or {}).get(key, ""),
            )
        # Up to three risks, each with the registry's sub-questions.
        risks = list(statement.risks or [])
        for n in range(1, reporting_models.MAX_REGISTRY_RISKS + 1):
            risk = risks[n - 1] if n <= len(risks) else {}
            prefix = f"risk{n}_"
            self.fields[prefix + "description"] = forms.CharField(
                label=f"Risk {n}: description", required=False, widget=Textarea(attrs={"rows": 2})
            )
            self.fields[prefix + "area"] = forms.ChoiceField(
                label=f"Risk {n}: where it is most likely",
                choices=[("", "—"), *reporting_models.RISK_AREAS],
                required=False,
            )
            self.fields[prefix + "other_area"] = forms.CharField(
                label=f"Risk {n}: where, if other", required=False, max_length=200
            )
            self.fields[prefix + "tiers"] = _multi(reporting_models.SUPPLY_CHAIN_TIERS, f"Risk {n}: supply-chain tier")
            self.fields[prefix + "groups"] = _multi(reporting_models.AFFECTED_GROUPS, f"Risk {n}: groups affected")
            self.fields[prefix + "other_groups"] = forms.CharField(
                label=f"Risk {n}: other vulnerable group(s)", required=False, max_length=200
            )
            self.fields[prefix + "countries"] = forms.CharField(
                label=f"Risk {n}: countries (one per line)", required=False, widget=Textarea(attrs={"rows": 2})
            )
            self.fields[prefix + "mitigation"] = forms.CharField(
                label=f"Risk {n}: actions or plans to address it",
                required=False,
                widget=Textarea(attrs={"rows": 2}),
            )
            for field in RISK_FIELDS:
                value = risk.get(field, [] if field in _LIST_RISK_FIELDS else "")
                self.fields[prefix + field].initial = "\n".join(value) if field == "countries" else value

    def clean(self):
        cleaned = super().clean()
        for field in _LIST_ANSWERS:
            _exclusive_none(cleaned, field, self)
        for field, other in (
            ("registry_sectors", "other_sector"),
            ("policy_areas", "other_policies"),
            ("training_audiences", "other_training"),
            ("ilo_indicators", "other_indicators"),
            ("remediation", "other_remediation"),
        ):
            if reporting_models.OTHER in (cleaned.get(field) or []) and not (cleaned.get(other) or "").strip():
                self.add_error(other, "Say what “Other” is.")
        cleaned["area_reasons"] = {
            key: cleaned[f"reason_{key}"].strip()
            for key, _, _ in Statement.SECTIONS
            if (cleaned.get(f"reason_{key}") or "").strip()
        }
        risks = []
        for n in range(1, reporting_models.MAX_REGISTRY_RISKS + 1):
            prefix = f"risk{n}_"
            risk = {
                field: cleaned.get(prefix + field) or ([] if field in _LIST_RISK_FIELDS else "")
                for field in RISK_FIELDS
            }
            risk["countries"] = [c.strip() for c in risk["countries"].splitlines() if c.strip()]
            if not any(risk.values()):
                continue
            if not risk["description"].strip():
                self.add_error(prefix + "description", "Describe the risk, or clear its other answers.")
            if risk["area"] == reporting_models.OTHER and not risk["other_area"].strip():
                self.add_error(prefix + "other_area", "Say where the risk is.")
            if reporting_models.OTHER in risk["groups"] and not risk["other_groups"].strip():
                self.add_error(prefix + "other_groups", "Name the other vulnerable group(s).")
            risks.append(risk)
        if risks and cleaned.get("no_risks"):
            self.add_error("no_risks", "Either list the risks or say there are none, not both.")
        # Unchanged risks keep their stored form (key set, list order), so saving changes nothing.
        stored = list(self.instance.risks or [])
        cleaned["risks"] = stored if [_risk_key(r) for r in risks] == [_risk_key(r) for r in stored] else risks
        return cleaned


class StatementApproveForm(forms.Form):
    # s.54(6): only a meeting of the approving body approves, on the meeting's date.
    meeting = forms.ModelChoiceField(label="Meeting that approved it", queryset=GovernanceMeeting.objects.none())
    approved_on = forms.DateField(
        label="Date of approval", widget=_DATE, required=False, help_text="The meeting's date; leave empty to use it."
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
        label="Address of the statement on our own website",
        required=False,
        assume_scheme="https",
        help_text="Leave empty to use this application's public statement page.",
    )
    homepage_link_checked_on = forms.DateField(
        label="Date the prominent link on our homepage was checked",
        widget=_DATE,
        required=False,
        help_text="Modern Slavery Act 2015, s.54(7)(b).",
    )


class StatementRegistryForm(forms.Form):
    homepage_link_checked_on = forms.DateField(
        label="Date the prominent link on our homepage was checked", widget=_DATE, required=False
    )
    registry_submitted_on = forms.DateField(label="Date submitted to the GOV.UK registry", widget=_DATE, required=False)
    registry_summary_url = forms.URLField(
        label="Address of the statement summary on the registry", required=False, assume_scheme="https"
    )
    late_submission_reason = forms.CharField(
        label="Reason for submitting after the six months (the registry asks)",
        required=False,
        widget=Textarea(attrs={"rows": 2}),
    )


class ActionsFromStatementForm(forms.Form):
    owner = forms.ModelChoiceField(label="Owner of the new actions", queryset=User.objects.none())
    due_on = forms.DateField(label="Due by", widget=_DATE)

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners if owners is not None else _active_people()
        pick_person(self, "owner", PersonPick.RISK_OWNER)


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
    return User.objects.pickable(PersonPick.RISK_OWNER)


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
        pick_person(self, "owner", PersonPick.RISK_OWNER)


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
        pick_person(self, "owner", PersonPick.RISK_OWNER)


class ActionProgressForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=ActionPlanItem.Status.choices)
    note = forms.CharField(label="Progress note", widget=Textarea(attrs={"rows": 3}), required=False)
