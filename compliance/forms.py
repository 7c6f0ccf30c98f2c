from django import forms

from compliance.models import Department, LegalEntity, Organisation, Site


class OrganisationForm(forms.ModelForm):
    class Meta:
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
            "helpline_number",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "financial_year_end_day": "Statements are due within six months of this date.",
            "helpline_number": "Shown on every page and every step of the concern form.",
        }


LegalEntityFormSet = forms.inlineformset_factory(
    Organisation, LegalEntity, fields=["name", "company_number"], extra=1, can_delete=True
)
DepartmentFormSet = forms.modelformset_factory(Department, fields=["name"], extra=1, can_delete=True)
SiteFormSet = forms.modelformset_factory(
    Site, fields=["name", "address"], extra=1, can_delete=True, widgets={"address": forms.TextInput()}
)
