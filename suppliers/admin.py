"""Django admin for the supplier tables (the app's own pages are the main way in)."""

from django.contrib import admin

from suppliers.models import (
    Audit,
    CategoryRisk,
    CodeOfConduct,
    CodeOfConductAcceptance,
    CorrectiveAction,
    CountryRisk,
    Finding,
    Question,
    QuestionnaireRequest,
    QuestionnaireSection,
    QuestionnaireTemplate,
    RiskAssessment,
    RiskWeight,
    Supplier,
)


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "status", "risk_band", "risk_score", "contract_owner", "next_review_due"]
    list_filter = ["status", "category", "risk_band"]
    search_fields = ["name", "registration_number"]
    # Status and risk change through their workflows (gates, scoring), not by hand here.
    readonly_fields = ["status", "risk_score", "risk_band", "risk_assessed_at", "termination_recommended_at"]
    autocomplete_fields = ["contract_owner"]


@admin.register(RiskWeight)
class RiskWeightAdmin(admin.ModelAdmin):
    list_display = ["key", "label", "value", "updated_at"]
    list_editable = ["value"]
    readonly_fields = ["key"]


@admin.register(CountryRisk)
class CountryRiskAdmin(admin.ModelAdmin):
    list_display = ["country", "band", "points", "source"]
    list_editable = ["band", "points"]
    list_filter = ["band"]


@admin.register(CategoryRisk)
class CategoryRiskAdmin(admin.ModelAdmin):
    list_display = ["category", "points", "rationale"]
    list_editable = ["points"]


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(admin.ModelAdmin):
    list_display = ["supplier", "assessed_at", "score", "band", "reason"]
    list_filter = ["band"]
    readonly_fields = [f.name for f in RiskAssessment._meta.fields]


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0


@admin.register(QuestionnaireSection)
class QuestionnaireSectionAdmin(admin.ModelAdmin):
    list_display = ["title", "template", "order"]
    inlines = [QuestionInline]


class SectionInline(admin.TabularInline):
    model = QuestionnaireSection
    extra = 0
    show_change_link = True


@admin.register(QuestionnaireTemplate)
class QuestionnaireTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "purpose", "is_active"]
    inlines = [SectionInline]


@admin.register(QuestionnaireRequest)
class QuestionnaireRequestAdmin(admin.ModelAdmin):
    list_display = ["supplier", "template", "status", "sent_at", "expires_at"]
    list_filter = ["status"]
    exclude = ["token_hash"]


admin.site.register(CodeOfConduct)
admin.site.register(CodeOfConductAcceptance)
admin.site.register(Audit)
admin.site.register(Finding)
admin.site.register(CorrectiveAction)
