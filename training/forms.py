"""Forms a person sees: they keep what was typed and say what is wrong."""

from django import forms
from django.contrib.auth.models import Group
from django.db.models import Q
from django.utils import timezone

from compliance import roles
from compliance.models import PersonPick, User
from compliance.widgets import DateInput, Textarea, keep_current_choice, pick_person, round_trip_formfield
from training.models import AssignmentRule, Course, ImportBatch, RecruitmentCheck
from training.uploads import validate_document

DATE_INPUT = DateInput()


class CourseForm(forms.ModelForm):
    class Meta:
        formfield_callback = round_trip_formfield
        model = Course
        fields = [
            "code",
            "title",
            "kind",
            "provider",
            "description",
            "validity_months",
            "link",
            "material",
            "is_active",
        ]


class AssignmentRuleForm(forms.ModelForm):
    class Meta:
        formfield_callback = round_trip_formfield
        model = AssignmentRule
        fields = [
            "course",
            "role",
            "department",
            "employment_type",
            "new_starter_within_days",
            "due_within_days",
            "is_active",
        ]
        labels = {"role": "Role (optional)", "department": "Department (optional)", "is_active": "In use"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.filter(is_active=True)
        self.fields["role"].queryset = Group.objects.filter(name__in=roles.ALL_ROLES).order_by("name")
        self.fields["employment_type"].label = "Employment type (optional)"


class AssignForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none(), label="Person")
    course = forms.ModelChoiceField(queryset=Course.objects.none())
    due_on = forms.DateField(label="Due on", widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.pickable(PersonPick.TRAINEE)
        pick_person(self, "user", PersonPick.TRAINEE)
        self.fields["course"].queryset = Course.objects.filter(is_active=True)


class EvidenceField(forms.FileField):
    def clean(self, *args, **kwargs):
        upload = super().clean(*args, **kwargs)
        if upload:
            validate_document(upload)
        return upload


class CompletionForm(forms.Form):
    completed_on = forms.DateField(label="Completed on", widget=DATE_INPUT)
    score = forms.IntegerField(label="Score (%)", required=False, min_value=0, max_value=100)
    evidence = EvidenceField(label="Evidence (certificate: PDF, PNG or JPEG)", required=False)

    def clean_completed_on(self):
        value = self.cleaned_data["completed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The completion date cannot be in the future.")
        return value


class RescheduleForm(forms.Form):
    due_on = forms.DateField(label="New due date", widget=DATE_INPUT)
    reason = forms.CharField(label="Why", max_length=500, widget=Textarea(attrs={"rows": 2}))


class DeclarationForm(forms.Form):
    completed_on = forms.DateField(label="I completed this course on", widget=DATE_INPUT)
    evidence = EvidenceField(label="Certificate (optional: PDF, PNG or JPEG)", required=False)

    def clean_completed_on(self):
        value = self.cleaned_data["completed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The completion date cannot be in the future.")
        return value


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="What the file contains", choices=ImportBatch.Kind.choices)
    file = forms.FileField(
        label="Spreadsheet (.csv or .xlsx)",
        help_text="An Excel workbook (.xlsx) or a CSV saved as UTF-8; a title row above the headings is fine.",
    )


class NameChoiceIterator(forms.models.ModelChoiceIterator):
    """A model choice's options as (key, name) rows: no model instance built for each option.

    The recruitment form offers every agency in the supplier register (930 at a large trust's
    size); building a Supplier for each, even with only its name, cost 6 ms of the page's 25.
    The option's value and label are what ModelChoiceIterator gives (the key; str(), the name).
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", "name")


class RecruitmentCheckForm(forms.ModelForm):
    class Meta:
        formfield_callback = round_trip_formfield
        model = RecruitmentCheck
        fields = [
            "dbs_checked_on",
            "dbs_outcome",
            "right_to_work_verified_on",
            "right_to_work_document",
            "right_to_work_expires_on",
            "contract_accessible_given_on",
            "contract_format",
            "agency_used",
            "agency",
            "agency_name",
            "notes",
        ]
        widgets = {
            "dbs_checked_on": DATE_INPUT,
            "right_to_work_verified_on": DATE_INPUT,
            "right_to_work_expires_on": DATE_INPUT,
            "contract_accessible_given_on": DATE_INPUT,
            "notes": Textarea(attrs={"rows": 3}),
        }
        help_texts = {"notes": "Do not record the content of a DBS certificate."}

    def __init__(self, *args, **kwargs):
        from suppliers.models import Supplier

        super().__init__(*args, **kwargs)
        keep_current_choice(
            self,
            "agency",
            Supplier.objects.filter(Q(category=Supplier.Category.AGENCY_STAFFING) | Q(is_recruitment_agency=True)),
        )
        # Only what an option shows: full supplier rows (countries, scores) for every agency were
        # most of this page's time at a large trust's size. The saved choice reads the rest.
        self.fields["agency"].iterator = NameChoiceIterator  # before the queryset: it gives the widget its choices
        self.fields["agency"].queryset = self.fields["agency"].queryset.only("pk", "name")
        self.fields["agency"].label = "Agency (from the supplier register)"


class PolicyForm(forms.Form):
    title = forms.CharField(max_length=200)
    summary = forms.CharField(widget=Textarea(attrs={"rows": 3}), required=False)
    requires_acknowledgement = forms.BooleanField(
        label="Every member of staff must acknowledge each version", required=False, initial=True
    )


class PolicyVersionForm(forms.Form):
    effective_date = forms.DateField(widget=DATE_INPUT)
    next_review_date = forms.DateField(
        widget=DATE_INPUT, required=False, help_text="Leave empty for one year after the effective date."
    )
    text = forms.CharField(label="Policy text", widget=Textarea(attrs={"rows": 12}), required=False)
    document = EvidenceField(label="Policy document (PDF)", required=False)
    change_summary = forms.CharField(label="What changed", widget=Textarea(attrs={"rows": 3}), required=False)

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and not data.get("document"):
            raise forms.ValidationError("Give the policy text or attach the document.")
        review, effective = data.get("next_review_date"), data.get("effective_date")
        if review and effective and review <= effective:
            self.add_error("next_review_date", "The review date must be after the effective date.")
        return data


class AcknowledgeForm(forms.Form):
    confirm = forms.BooleanField(label="I have read and understood this policy", required=True)
