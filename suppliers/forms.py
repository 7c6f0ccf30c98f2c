"""Forms for supplier pages: validation a person sees, keeping what they typed."""

import functools

from django import forms
from django.utils import timezone, translation
from django_countries import countries

from compliance.model_choices import ShortModelChoiceField
from compliance.models import PersonPick, User
from compliance.widgets import (
    DateInput,
    RoundTripMixin,
    SearchChoiceField,
    SearchSelect,
    SearchSelectMultiple,
    Textarea,
    keep_current_choice,
    pick_person,
    round_trip_formfield,
)
from suppliers.models import (
    PROCUREMENT_FIELDS,
    REGISTER_FIELDS,
    AgencyFees,
    AgencyIdDocuments,
    Audit,
    CategoryRisk,
    CodeOfConduct,
    CountryRisk,
    EnhancedDueDiligence,
    Finding,
    Question,
    QuestionnaireTemplate,
    SubSupplier,
    Supplier,
    SupplierBulkSend,
    SupplierCertificate,
)
from suppliers.services.register import Decision

DATE = DateInput()


class SupplierForm(RoundTripMixin, forms.ModelForm):
    class Meta:
        formfield_callback = round_trip_formfield
        model = Supplier
        fields = list(REGISTER_FIELDS)
        widgets = {"contract_start": DATE, "contract_end": DATE, "countries": SearchSelectMultiple}
        labels = {"annual_spend": "Annual spend (£)", "uses_agency_labour": "Uses agency labour"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keep_current_choice(self, "contract_owner", User.objects.pickable(PersonPick.CONTRACT_OWNER))
        pick_person(self, "contract_owner", PersonPick.CONTRACT_OWNER)

    def clean(self):
        data = super().clean()
        if data.get("contract_start") and data.get("contract_end") and data["contract_end"] < data["contract_start"]:
            self.add_error("contract_end", "The contract cannot end before it starts.")
        if data.get("annual_spend") is not None and data["annual_spend"] < 0:
            self.add_error("annual_spend", "Spend cannot be negative.")
        return data


class ProcurementForm(forms.ModelForm):
    """Public procurement details; the model's clean() holds the rules the API shares."""

    class Meta:
        formfield_callback = round_trip_formfield
        model = Supplier
        fields = list(PROCUREMENT_FIELDS)
        widgets = {
            "statement_required": forms.NullBooleanSelect,
            "ppn009_high_risk": forms.NullBooleanSelect,
            "ppn009_notes": Textarea(attrs={"rows": 3}),
            "exclusion_notes": Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "registry_status": "Search the GOV.UK modern slavery statement registry for the supplier.",
            "exclusion_ground": "Procurement Act 2023: modern slavery offences (mandatory) or orders and "
            "labour market misconduct (discretionary).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The assessor is someone who may plan audits (the same people search).
        keep_current_choice(self, "ppn009_assessor", User.objects.pickable(PersonPick.AUDITOR))
        pick_person(self, "ppn009_assessor", PersonPick.AUDITOR)


class EnhancedChecksForm(forms.ModelForm):
    class Meta:
        formfield_callback = round_trip_formfield
        model = EnhancedDueDiligence
        # "Supply chain mapped" is not ticked by hand: it is whether the supplier's tier-2/3
        # suppliers are recorded (suppliers:supply_chain) when the checks are saved.
        fields = [
            "ownership_verified",
            "worker_interviews",
            "site_visit",
            "wage_records_checked",
            "summary",
        ]

    def __init__(self, *args, supply_chain_mapped: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.supply_chain_mapped = supply_chain_mapped

    def clean(self):
        data = super().clean()
        ticked = [k for k in self.Meta.fields[:-1] if data.get(k)]
        if not ticked and not self.supply_chain_mapped:
            raise forms.ValidationError("Tick at least one check that was done, or record the supply chain.")
        return data


class AgencyForm(forms.Form):
    """The agency's checks, recorded positively: a clean answer is a choice made, never an unticked box."""

    fees_outcome = forms.ChoiceField(
        label="Worker recruitment fees", choices=AgencyFees.choices, widget=forms.RadioSelect
    )
    fees_evidence = forms.CharField(
        label="Evidence on fees",
        required=False,
        widget=Textarea(attrs={"rows": 3}),
        help_text="What you saw: contract terms, fee policy, worker interviews. Required for 'no fees'.",
    )
    ids_outcome = forms.ChoiceField(
        label="Workers' passports and identity documents", choices=AgencyIdDocuments.choices, widget=forms.RadioSelect
    )
    ids_evidence = forms.CharField(
        label="Evidence on identity documents",
        required=False,
        widget=Textarea(attrs={"rows": 3}),
        help_text="What you saw: worker interviews, the agency's document handling. Required for 'not retained'.",
    )
    checked_on = forms.DateField(label="Checked on", widget=DATE, initial=timezone.localdate)
    glaa_sectors = forms.BooleanField(
        label=Supplier._meta.get_field("agency_glaa_sectors").verbose_name,
        required=False,
        help_text="Labour providers in these sectors need a GLAA licence.",
    )
    licence_number = forms.CharField(label="GLAA licence number", max_length=30, required=False)
    evidence_file = forms.FileField(label="Evidence file (optional)", required=False)

    def clean(self):
        data = super().clean()
        if data.get("fees_outcome") == AgencyFees.NONE_CHARGED and not data.get("fees_evidence", "").strip():
            self.add_error("fees_evidence", "Say what shows that no fees are charged.")
        if data.get("ids_outcome") == AgencyIdDocuments.NOT_RETAINED and not data.get("ids_evidence", "").strip():
            self.add_error("ids_evidence", "Say what shows that identity documents are not retained.")
        if data.get("checked_on") and data["checked_on"] > timezone.localdate():
            self.add_error("checked_on", "The check date cannot be in the future.")
        if data.get("glaa_sectors") and not data.get("licence_number", "").strip():
            self.add_error("licence_number", "Give the GLAA licence number.")
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.CHOICES, widget=forms.RadioSelect)
    reason = forms.CharField(widget=Textarea(attrs={"rows": 3}))
    new_due_date = forms.DateField(
        label="New due date (if extending)", required=False, widget=DATE, help_text="Only for an extension."
    )

    def __init__(self, *args, terminated: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if terminated:
            self.fields["decision"].choices = Decision.TERMINATED_CHOICES
            del self.fields["new_due_date"]

    def clean(self):
        data = super().clean()
        if data.get("decision") == Decision.EXTEND:
            due = data.get("new_due_date")
            if not due:
                self.add_error("new_due_date", "Give the new due date for the extension.")
            elif due <= timezone.localdate():
                self.add_error("new_due_date", "The new due date must be in the future.")
        return data


class ConductAcceptanceForm(forms.Form):
    code = forms.ModelChoiceField(label="Version", queryset=CodeOfConduct.objects.filter(published_at__isnull=False))
    accepted_on = forms.DateField(widget=DATE)
    signed_by_name = forms.CharField(label="Signed by", max_length=200)
    signed_by_role = forms.CharField(label="Signatory's job title", max_length=200, required=False)

    def clean_accepted_on(self):
        value = self.cleaned_data["accepted_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The acceptance date cannot be in the future.")
        return value


class CodeOfConductForm(forms.ModelForm):
    class Meta:
        formfield_callback = round_trip_formfield
        model = CodeOfConduct
        fields = ["version", "title", "effective_from", "clauses"]
        widgets = {"effective_from": DATE, "clauses": Textarea(attrs={"rows": 10})}


class QuestionnaireSendForm(forms.Form):
    template = forms.ModelChoiceField(
        label="Questionnaire", queryset=QuestionnaireTemplate.objects.filter(is_active=True)
    )
    contact_name = forms.CharField(max_length=200)
    contact_email = forms.EmailField()
    valid_days = forms.IntegerField(label="Link valid for (days)", min_value=1, max_value=90, initial=30)


class ConductSendForm(forms.Form):
    """Procurement sends the code of conduct (and a portal link) to the supplier's contact."""

    contact_name = forms.CharField(max_length=200)
    contact_email = forms.EmailField()


class PortalAcceptanceForm(forms.Form):
    """The supplier's contact accepts the code of conduct in the portal."""

    signed_by_name = forms.CharField(label="Your full name", max_length=200)
    signed_by_role = forms.CharField(label="Your job title", max_length=200)
    confirm = forms.BooleanField(
        label="I confirm that I am authorised to accept this code of conduct for my organisation, "
        "and I accept it on its behalf."
    )


class PortalCertificateForm(forms.Form):
    """The supplier's contact uploads a certificate or evidence, with its dates."""

    kind = forms.ChoiceField(label="Type", choices=SupplierCertificate.Kind.choices)
    title = forms.CharField(max_length=200, help_text="For example: SMETA 4-pillar audit, Leeds site.")
    issued_on = forms.DateField(label="Issued on", required=False, widget=DATE)
    expires_on = forms.DateField(
        label="Expires on", required=False, widget=DATE, help_text="Leave empty if it does not expire."
    )
    file = forms.FileField(help_text="PDF, image, Word or Excel file.")

    def clean(self):
        data = super().clean()
        issued, expires = data.get("issued_on"), data.get("expires_on")
        if issued and expires and expires < issued:
            self.add_error("expires_on", "The expiry date is before the issue date.")
        return data


class QuestionnaireReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", "Accept the answers"), ("return", "Return to the supplier with comments")],
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(widget=Textarea(attrs={"rows": 3}), required=False)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("comments") or "").strip():
            self.add_error("comments", "Say what the supplier needs to change.")
        return data


class AuditForm(forms.ModelForm):
    class Meta:
        formfield_callback = round_trip_formfield
        model = Audit
        fields = ["kind", "method", "planned_date", "auditor", "auditor_name", "scope"]
        widgets = {"planned_date": DATE, "scope": Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keep_current_choice(self, "auditor", User.objects.pickable(PersonPick.AUDITOR))
        self.fields["auditor"].label = "Auditor (one of us)"
        pick_person(self, "auditor", PersonPick.AUDITOR)

    def clean(self):
        data = super().clean()
        if not data.get("auditor") and not data.get("auditor_name"):
            self.add_error("auditor", "Choose an auditor or name the external auditor.")
        return data


class AuditCompleteForm(forms.Form):
    result = forms.ChoiceField(choices=Audit.Result.choices)
    completed_date = forms.DateField(widget=DATE)
    summary = forms.CharField(widget=Textarea(attrs={"rows": 3}), required=False)
    override_reason = forms.CharField(
        label="Reason, if the result is better than the open findings",
        widget=Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Needed only when, say, 'Minor issues' is chosen while a major finding is still open.",
    )

    def clean_completed_date(self):
        value = self.cleaned_data["completed_date"]
        if value > timezone.localdate():
            raise forms.ValidationError("The audit date cannot be in the future.")
        return value


class FindingForm(forms.Form):
    severity = forms.ChoiceField(choices=Finding.Severity.choices)
    description = forms.CharField(widget=Textarea(attrs={"rows": 3}))
    open_safeguarding_case = forms.BooleanField(
        label="Open a safeguarding case: a worker may be at risk", required=False
    )


class CorrectiveActionForm(forms.Form):
    description = forms.CharField(widget=Textarea(attrs={"rows": 3}))
    owner = forms.ModelChoiceField(queryset=User.objects.none(), help_text="Usually the contract owner.")
    due_date = forms.DateField(widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.pickable(PersonPick.ACTION_OWNER)
        pick_person(self, "owner", PersonPick.ACTION_OWNER)

    def clean_due_date(self):
        value = self.cleaned_data["due_date"]
        if value < timezone.localdate():
            raise forms.ValidationError("The due date cannot be in the past.")
        return value


class EvidenceForm(forms.Form):
    evidence = forms.CharField(
        widget=Textarea(attrs={"rows": 3}), required=False, help_text="What shows the action is done."
    )
    evidence_file = forms.FileField(label="Evidence file (optional)", required=False)

    def clean(self):
        data = super().clean()
        if not (data.get("evidence") or "").strip() and not data.get("evidence_file"):
            raise forms.ValidationError("Describe the evidence or attach a file.")
        return data


class VerifyForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", "Evidence accepted: close the action"), ("reject", "Not enough: send back to the owner")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(widget=Textarea(attrs={"rows": 2}), required=False)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", "Say what is missing from the evidence.")
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label="Register file (.csv or .xlsx)")

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("Upload a .csv or .xlsx file.")
        if f.size > 5 * 1024 * 1024:
            raise forms.ValidationError("The file is larger than 5 MB.")
        return f


class ReviewDoneForm(forms.Form):
    notes = forms.CharField(widget=Textarea(attrs={"rows": 2}), label="Review notes")


class QuestionnaireAnswerForm(forms.Form):
    """The supplier contact's answers; nothing is required until they submit."""

    error_title = "Your answers need attention."  # heading of the error summary: drafts may already be saved

    def __init__(self, *args, questionnaire, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = []
        answers = {a.question_id: a for a in questionnaire.answers.all()}
        for section in questionnaire.template.sections.all():
            names = []
            for question in section.questions.all():
                name = f"q_{question.pk}"
                label = question.text + ("" if question.required else " (optional)")
                existing = answers.get(question.pk)
                if question.kind in (question.Kind.YES_NO, question.Kind.CHOICE):
                    choices = [
                        (c, c.capitalize() if question.kind == question.Kind.YES_NO else c)
                        for c in question.choice_list
                    ]
                    field = forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect, required=False)
                elif question.kind == question.Kind.TEXT:
                    field = forms.CharField(label=label, widget=Textarea(attrs={"rows": 3}), required=False)
                else:
                    field = forms.FileField(label=label, required=False)
                    if existing and existing.document_id:
                        field.help_text = f"Already uploaded: {existing.value}. Upload again to replace it."
                if question.help_text:
                    field.help_text = question.help_text
                if existing and question.kind != question.Kind.FILE:
                    field.initial = existing.value
                field.question = question
                self.fields[name] = field
                names.append(name)
            self.sections.append((section, names))

    def answers(self) -> tuple[dict[int, str], dict]:
        values, files = {}, {}
        for name, field in self.fields.items():
            qid = field.question.pk
            value = self.cleaned_data.get(name)
            if isinstance(field, forms.FileField):
                if value:
                    files[qid] = value
            else:
                values[qid] = value or ""
        return values, files


class RiskWeightForm(forms.Form):
    """One number per weight, keyed by the weight's key."""

    def __init__(self, *args, weights, **kwargs):
        super().__init__(*args, **kwargs)
        self.weights = list(weights)
        for w in self.weights:
            self.fields[w.key] = forms.IntegerField(
                label=w.label, initial=w.value, help_text=w.help_text, min_value=0, max_value=100_000_000
            )

    def clean(self):
        data = super().clean()
        medium, high = data.get("band_medium_from"), data.get("band_high_from")
        if medium is not None and high is not None and high <= medium:
            self.add_error("band_high_from", "The high band must start above the medium band.")
        return data


@functools.lru_cache(maxsize=16)
def country_choices(language: str | None) -> list[tuple[str, str]]:
    """The blank and every country (name in ``language``), made once: django-countries sorts on each pass."""
    return [("", "---------"), *((code, str(name)) for code, name in countries)]


class CountryRiskForm(forms.ModelForm):
    # One select per row renders only its own country and searches the rest through the API.
    # Declared here (choices shared in __init__) so the 40 rows neither copy nor re-sort the
    # model field's lazy list of 250 countries each.
    country = SearchChoiceField(label="Country", choices=(), widget=SearchSelect(source="api-country-search"))

    class Meta:
        formfield_callback = round_trip_formfield
        model = CountryRisk
        fields = ["country", "band", "points", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].share_choices(country_choices(translation.get_language()))
        self.fields["country"].widget.search_label = "Search for the country by name"


CountryRiskFormSet = forms.modelformset_factory(
    CountryRisk,
    form=CountryRiskForm,
    extra=1,
    can_delete=True,
)
CategoryRiskFormSet = forms.modelformset_factory(
    CategoryRisk,
    formfield_callback=round_trip_formfield,
    fields=["category", "points", "rationale"],
    extra=0,
)


class QuestionnaireTemplateForm(forms.Form):
    name = forms.CharField(max_length=200)
    purpose = forms.ChoiceField(choices=QuestionnaireTemplate.Purpose.choices)
    introduction = forms.CharField(widget=Textarea(attrs={"rows": 3}), required=False)


class SectionForm(forms.Form):
    title = forms.CharField(label="New section title", max_length=200)


class QuestionSeverityForm(forms.Form):
    """Change the severity of an existing question's gap answer (seeded questions included)."""

    severity_question = forms.IntegerField(widget=forms.HiddenInput)
    severity = forms.ChoiceField(label="Severity of a gap", choices=Question.Severity.choices)


class QuestionForm(forms.Form):
    section = forms.ModelChoiceField(queryset=None)
    text = forms.CharField(label="Question", max_length=500)
    kind = forms.ChoiceField(label="Answer type", choices=Question.Kind.choices)
    choices = forms.CharField(
        label="Options (choice questions)",
        widget=Textarea(attrs={"rows": 3}),
        required=False,
        help_text="One per line.",
    )
    gap_answer = forms.CharField(
        label="Answer that is a gap",
        max_length=200,
        required=False,
        help_text="E.g. 'no' to 'Do you have a policy?'. Each gap adds the points for its severity to the score.",
    )
    severity = forms.ChoiceField(
        label="Severity of a gap",
        choices=Question.Severity.choices,
        initial=Question.Severity.MEDIUM,
        help_text="Critical (e.g. workers pay recruitment fees) makes the supplier high risk at once; "
        "a gap at or above the finding threshold opens a finding when the answers are accepted.",
        required=False,
    )
    help_text = forms.CharField(label="Help text", max_length=300, required=False)
    required = forms.BooleanField(label="Must be answered before submitting", required=False, initial=True)

    def __init__(self, *args, template, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = template.sections.all()

    def clean_severity(self) -> str:
        # A question without a gap answer has no use for a severity: the default keeps the form short to fill.
        return self.cleaned_data["severity"] or Question.Severity.MEDIUM


class BulkSendForm(forms.Form):
    """Send to many suppliers at once: what, which questionnaire, and to whom (the ticked ones or the whole filter)."""

    SELECTED = "selected"
    FILTER = "filter"

    kind = forms.ChoiceField(label="Send", choices=SupplierBulkSend.Kind.choices, widget=forms.RadioSelect)
    template = forms.ModelChoiceField(
        label="Questionnaire",
        queryset=QuestionnaireTemplate.objects.filter(is_active=True),
        required=False,
        help_text="Only when sending a questionnaire.",
    )
    scope = forms.ChoiceField(
        label="To",
        choices=[(SELECTED, "The suppliers ticked on the register"), (FILTER, "Every supplier matching the filter")],
        widget=forms.RadioSelect,
        initial=SELECTED,
    )
    supplier = forms.ModelMultipleChoiceField(
        queryset=Supplier.objects.none(), required=False, widget=forms.MultipleHiddenInput
    )

    def __init__(self, *args, suppliers=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only suppliers the person may read can be ticked (the view passes the restricted list).
        if suppliers is not None:
            self.fields["supplier"].queryset = suppliers

    def clean(self):
        data = super().clean()
        if data.get("kind") == SupplierBulkSend.Kind.QUESTIONNAIRE and not data.get("template"):
            self.add_error("template", "Choose the questionnaire to send.")
        if data.get("scope") == self.SELECTED and not data.get("supplier"):
            self.add_error(
                "scope", "Tick at least one supplier on the register, or send to every supplier matching the filter."
            )
        return data


class SubSupplierForm(forms.ModelForm):
    """One row of a supplier's supply chain; the parent is one of the same supplier's tier-2 suppliers."""

    # The 250 countries shared (country_choices, as CountryRiskForm's), not the model field's lazy
    # list copied and sorted again for each row; all of them in the page, searched as you type.
    country = SearchChoiceField(label="Country", choices=(), widget=SearchSelect)

    class Meta:
        model = SubSupplier
        fields = ["name", "country", "category", "tier", "parent"]
        # The few tier-2 suppliers in one plain query per row, not a server-side cursor's round trips.
        field_classes = {"parent": ShortModelChoiceField}
        labels = {"parent": "Tier-2 supplier it supplies (tier 3 only)"}

    def __init__(self, *args, supplier=None, **kwargs):
        super().__init__(*args, **kwargs)
        if supplier is not None:
            self.instance.supplier = supplier
        owner = self.instance.supplier if self.instance.supplier_id else None
        self.fields["parent"].queryset = SubSupplier.objects.filter(supplier=owner, tier=SubSupplier.Tier.TIER_2)
        self.fields["parent"].empty_label = "None (tier 2)"
        self.fields["country"].share_choices(country_choices(translation.get_language()))


SubSupplierFormSet = forms.modelformset_factory(SubSupplier, form=SubSupplierForm, extra=3, can_delete=True)
