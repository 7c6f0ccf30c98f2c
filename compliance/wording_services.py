"""Writes of the organisation's journey wording: the Compliance admin's corrections, per language."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from compliance import rules as r
from compliance.i18n import journey_msgids, journey_wording_forget, markup_and_placeholders
from compliance.models import User
from compliance.wording_models import JourneyWording


def journey_wording_save(*, actor: User, language: str, msgid: str, text: str) -> JourneyWording:
    """Say one journey string the organisation's way in one language (replacing any earlier wording)."""
    if not r.can_manage_organisation.test(actor):
        raise PermissionDenied("Only a Compliance admin changes the journey's wording.")
    text = text.strip()
    errors = {}
    if language not in dict(settings.LANGUAGES):
        errors["language"] = ["Choose one of the journey's languages."]
    if msgid not in journey_msgids():
        errors["msgid"] = ["Choose one of the reporting journey's strings."]
    if not text:
        errors["text"] = ["Write the wording to show."]
    elif markup_and_placeholders(text) != markup_and_placeholders(msgid) or (text.count("<") != msgid.count("<")):
        # The wording goes into the page as the catalogue's would: same links and
        # %(...)s values, and no markup of its own.
        errors["text"] = [
            "Keep every %(...)s value and every <tag> of the English string exactly, and add no other tags."
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        wording, _created = JourneyWording.objects.update_or_create(
            language=language, msgid=msgid, defaults={"text": text, "updated_by": actor}
        )
        transaction.on_commit(lambda: journey_wording_forget(language))
    return wording


def journey_wording_delete(*, actor: User, wording: JourneyWording) -> None:
    """Go back to the catalogue's translation for this string."""
    if not r.can_manage_organisation.test(actor):
        raise PermissionDenied("Only a Compliance admin changes the journey's wording.")
    language = wording.language
    with transaction.atomic():
        wording.delete()
        transaction.on_commit(lambda: journey_wording_forget(language))
