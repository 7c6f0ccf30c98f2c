"""The Compliance admin's page for the reporting journey's wording in each language."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_POST

from compliance import rules as r
from compliance.i18n import journey_msgids
from compliance.web import form_add_service_errors, require
from compliance.widgets import Textarea
from compliance.wording_models import JourneyWording
from compliance.wording_services import journey_wording_delete, journey_wording_save


class JourneyWordingForm(forms.Form):
    language = forms.ChoiceField(label="Language", choices=settings.LANGUAGES)
    msgid = forms.ChoiceField(label="English string", choices=())
    text = forms.CharField(
        label="Wording to show",
        widget=Textarea(attrs={"rows": 3}),
        help_text="Keep every %(...)s value and <tag> of the English string exactly.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["msgid"].choices = [(m, m if len(m) <= 110 else m[:107] + "…") for m in journey_msgids()]


def _language_of(request) -> str:
    code = request.GET.get("language", "")
    return code if code in dict(settings.LANGUAGES) else "pl"


@login_required
def journey_wording(request):
    require(r.can_manage_organisation, request.user)
    language = _language_of(request)
    form = JourneyWordingForm(request.POST or None, initial={"language": language})
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = journey_wording_save(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, "Saved: the journey shows this wording from the next page load.")
                return redirect(f"{reverse('journey_wording')}?language={saved.language}")
        messages.error(request, "Nothing was saved: please correct the fields marked below.")
    wordings = list(JourneyWording.objects.filter(language=language).select_related("updated_by"))
    with translation.override(language):
        # What the catalogue says, for comparison (override() bypasses the organisation's wording).
        rows = [(w, translation.gettext(w.msgid)) for w in wordings]
    return render(
        request,
        "compliance/journey_wording.html",
        {"form": form, "rows": rows, "language": language, "languages": settings.LANGUAGES},
    )


@login_required
@require_POST
def journey_wording_remove(request, pk: int):
    require(r.can_manage_organisation, request.user)
    wording = get_object_or_404(JourneyWording, pk=pk)
    journey_wording_delete(actor=request.user, wording=wording)
    messages.success(request, "Removed: the journey shows the catalogue's translation again.")
    return redirect(f"{reverse('journey_wording')}?language={wording.language}")
