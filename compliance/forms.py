import calendar

from django import forms
from django.contrib.auth.models import Group

from compliance.models import AccessLog, Department, LegalEntity, Organisation, PersonPick, Site, User
from compliance.widgets import DateInput, Textarea, keep_current_choice, pick_person, round_trip_formfield


class OrganisationForm(forms.ModelForm):
    class Meta:
        formfield_callback = round_trip_formfield
        model = Organisation
        fields = [
            "legal_name",
            "trading_name",
            "company_number",
            "charity_number",
            "ods_code",
            "sector",
            "address",
            "financial_year_end_day",
            "financial_year_end_month",
            "turnover_band",
            "website",
            "approving_body",
            "signatory_label",
            "helpline_number",
            "acknowledge_within_days",
            "feedback_within_months",
            "whistleblowing_policy_url",
            "speak_up_guardian",
        ]
        widgets = {
            "address": Textarea(attrs={"rows": 3}),
            "financial_year_end_month": forms.Select(
                choices=[(i, calendar.month_name[i]) for i in range(1, 13)],
            ),
        }
        help_texts = {
            "financial_year_end_day": "Statements are due within six months of this date.",
            "helpline_number": "Shown on every page and every step of the concern form.",
        }


_CONTROL = {"class": "form-control form-control-sm"}


class _StyledDeleteMixin:
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"


class _InlineFormSet(_StyledDeleteMixin, forms.BaseInlineFormSet):
    pass


class _ModelFormSet(_StyledDeleteMixin, forms.BaseModelFormSet):
    pass


LegalEntityFormSet = forms.inlineformset_factory(
    Organisation,
    LegalEntity,
    formfield_callback=round_trip_formfield,
    formset=_InlineFormSet,
    fields=["name", "company_number"],
    extra=1,
    can_delete=True,
    widgets={"name": forms.TextInput(attrs=_CONTROL), "company_number": forms.TextInput(attrs=_CONTROL)},
)
DepartmentFormSet = forms.modelformset_factory(
    Department,
    formfield_callback=round_trip_formfield,
    formset=_ModelFormSet,
    fields=["name"],
    extra=1,
    can_delete=True,
    widgets={"name": forms.TextInput(attrs=_CONTROL)},
)
SiteFormSet = forms.modelformset_factory(
    Site,
    formfield_callback=round_trip_formfield,
    formset=_ModelFormSet,
    fields=["name", "address"],
    extra=1,
    can_delete=True,
    widgets={"name": forms.TextInput(attrs=_CONTROL), "address": forms.TextInput(attrs=_CONTROL)},
)


class PersonForm(forms.ModelForm):
    """A person's record and roles, as the Compliance admin edits them."""

    roles = forms.ModelMultipleChoiceField(
        queryset=Group.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The Lead, Safeguarding team, Director and Compliance admin must set up two-factor authentication.",
    )

    class Meta:
        formfield_callback = round_trip_formfield
        model = User
        fields = [
            "email",
            "full_name",
            "job_title",
            "department",
            "site",
            "line_manager",
            "employment_type",
            "start_date",
            "is_active",
            "left_on",
        ]
        widgets = {
            "start_date": DateInput(),
            "left_on": DateInput(),
        }
        labels = {"is_active": "Active (untick for a leaver: records are kept)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        managers = User.objects.pickable(PersonPick.LINE_MANAGER).exclude(pk=self.instance.pk)
        keep_current_choice(self, "line_manager", managers)
        pick_person(self, "line_manager", PersonPick.LINE_MANAGER)
        if self.instance.pk:
            self.fields["roles"].initial = list(self.instance.groups.all())

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Someone already has this email address.")
        return email

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_active") is False and not cleaned.get("left_on"):
            self.add_error("left_on", "Give the date the person left.")
        return cleaned


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label="Name or email", required=False)
    role = forms.ModelChoiceField(queryset=Group.objects.order_by("name"), required=False, empty_label="Any role")
    department = forms.ModelChoiceField(queryset=Department.objects.all(), required=False, empty_label="Any department")
    status = forms.ChoiceField(choices=[("active", "Active"), ("left", "Left"), ("all", "Everyone")], required=False)


class AccessLogFilterForm(forms.Form):
    who = forms.CharField(label="Person (name or email)", required=False)
    action = forms.ChoiceField(choices=[("", "Any action"), *AccessLog.Action.choices], required=False)
    record = forms.CharField(label="Record contains", required=False)
    since = forms.DateField(label="From", required=False, widget=DateInput())
    until = forms.DateField(label="To", required=False, widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("since") and cleaned.get("until") and cleaned["since"] > cleaned["until"]:
            self.add_error("until", "The end date is before the start date.")
        return cleaned


class ColumnMappingForm(forms.Form):
    """What each column of an uploaded spreadsheet is: one select per file column, and "save for next time"."""

    IGNORE_CHOICE = "-"  # "" is the select's "Choose…": a column nobody has decided on stays an error

    def __init__(self, *args, schema, analysis, saved_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.schema, self.analysis = schema, analysis
        choices = [
            ("", "Choose…"),
            (self.IGNORE_CHOICE, "Ignore this column"),
            *((c.key, c.label) for c in schema.columns),
        ]
        for index, header in enumerate(analysis.headers):
            target = analysis.targets[index]
            self.fields[self.field_name(index)] = forms.ChoiceField(
                label=f"Import the column “{header or f'column {index + 1} (no heading)'}” as",
                choices=choices,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
                initial=None if target is None else (target or self.IGNORE_CHOICE),
                error_messages={"required": f"Say what the column “{header}” is, or choose “Ignore this column”."},
            )
        self.fields["save"] = forms.BooleanField(required=False, label="Save this mapping for next time")
        self.fields["save_as"] = forms.CharField(
            required=False,
            max_length=100,
            label="Name of the saved mapping",
            initial=saved_name,
            help_text="Files with the same headings will use it automatically; you can change it on their import page.",
        )

    @staticmethod
    def field_name(index: int) -> str:
        return f"column_{index}"

    def columns(self):
        """(header, bound select, first values) per file column, for the template."""
        for index, header in enumerate(self.analysis.headers):
            examples = [row[index] for _line, row in self.analysis.preview if index < len(row) and row[index]][:3]
            yield header, self[self.field_name(index)], examples

    def targets(self) -> list[str]:
        out = []
        for index in range(len(self.analysis.headers)):
            value = self.cleaned_data.get(self.field_name(index)) or ""
            out.append("" if value == self.IGNORE_CHOICE else value)
        return out

    def clean(self):
        cleaned = super().clean()
        if any(self.field_name(i) in self.errors for i in range(len(self.analysis.headers))):
            return cleaned
        first_for: dict[str, str] = {}
        for index, header in enumerate(self.analysis.headers):
            target = cleaned.get(self.field_name(index))
            if target in (None, "", self.IGNORE_CHOICE):
                continue
            if target in first_for:
                label = self.schema.column(target).label
                self.add_error(self.field_name(index), f"{label} is already the column “{first_for[target]}”.")
            first_for.setdefault(target, header)
        missing = self.schema.missing([t for t in self.targets() if t])
        if missing:
            raise forms.ValidationError(
                "No column gives "
                + ", ".join(c.label for c in missing)
                + ": choose the column that holds it, or add it to the file and upload it again."
            )
        if cleaned.get("save") and not (cleaned.get("save_as") or "").strip():
            self.add_error("save_as", "Give the mapping a name to save it.")
        return cleaned

    def save_as(self) -> str:
        return (self.cleaned_data.get("save_as") or "").strip() if self.cleaned_data.get("save") else ""
