"""Subject access (UK GDPR Art. 15): everything the case records hold about one named person.

The Lead names the person (and, if they have one, their account and a contact detail).
A case is theirs as **reporter** when they reported it (their account), a manager logged
it on their behalf (the name), or the contact given is theirs; as **subject** when their
name appears in what was written (narrative, other signs, location, notes, messages,
closing summary, referral outcomes). The free text is encrypted at rest, so the match is
made in Python over the decrypted text of the cases the Lead may see (restrict()), not
in SQL; it is a name match, so the Lead reviews the export before sending it.

Third parties' identities are taken out (ICO, "Right of access": information identifying
someone else is withheld unless they consent or it is reasonable to disclose it, DPA 2018
Sch. 2 para 16): text the Lead masked stays "[masked]"; a reporter's name, "on behalf of"
name and contact are never given to anyone but that reporter and are replaced by "[third
party]" wherever they appear; so is the name of every other person with an account;
authors of notes are given as "staff". Attachments are listed (name, date), not copied:
the Lead reviews and supplies them separately.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.db.models import Prefetch

from compliance.encryption import encrypted_fields
from compliance.models import User
from safeguarding.models import CaseAction, Concern, Referral, TimelineEntry

THIRD_PARTY = "[third party]"
# Who was spoken to at the agency: someone else's identity.
REFERRAL_THIRD_PARTY_FIELDS = {"contact"}
HEADER = ["Reference", "Held as", "Record", "Date", "Text"]
# Timeline kinds written by people (the others are generated: status, escalation, access).
WRITTEN = {
    TimelineEntry.Kind.NOTE,
    TimelineEntry.Kind.MESSAGE_TO_REPORTER,
    TimelineEntry.Kind.MESSAGE_FROM_REPORTER,
    TimelineEntry.Kind.STATUS,
    TimelineEntry.Kind.REFERRAL,
}


def _norm(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def _contains(text: str, name: str) -> bool:
    return bool(name) and name in _norm(text)


def _case_texts(concern: Concern) -> list[str]:
    texts = [concern.narrative, concern.indicators_other, concern.location_text, concern.closing_summary]
    texts += [entry.body for entry in concern.timeline.all()]
    texts += [text for referral in concern.referrals.all() for _, text in _referral_texts(referral)]
    return texts


def _referral_texts(referral: Referral) -> list[tuple[str, str]]:
    """The referral's free text about the person (every encrypted field but the contact at the agency,
    who is a third party), so a field added to referrals is exported without a change here."""
    return [
        (str(f.verbose_name), getattr(referral, f.name))
        for f in encrypted_fields(Referral)
        if f.name not in REFERRAL_THIRD_PARTY_FIELDS and getattr(referral, f.name)
    ]


def _held_as(concern: Concern, *, name: str, person: User | None, contact: str) -> list[str]:
    held = []
    if (
        (person is not None and concern.reporter_id == person.pk)
        or (name and _norm(concern.on_behalf_of) == name)
        or (contact and contact in _norm(concern.reporter_contact))
    ):
        held.append("reporter")
    if any(_contains(text, name) for text in _case_texts(concern)):
        held.append("subject")
    return held


class _Redactor:
    """Replaces every identity but the requester's own with "[third party]"."""

    def __init__(self, *, keep: set[str], others: list[str]):
        names = {o.strip() for o in others if o and o.strip() and _norm(o) not in keep and len(o.strip()) > 2}
        # Longest first, so "Anna Maria Nowak" goes before "Anna Maria".
        self.pattern = (
            re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)), re.IGNORECASE)
            if names
            else None
        )

    def __call__(self, text: str) -> str:
        return self.pattern.sub(THIRD_PARTY, text or "") if self.pattern else (text or "")


def subject_access_rows(*, user: User, name: str, person: User | None = None, contact: str = "") -> Iterator[list]:
    """The export's rows: every record of every case the person is in, third parties redacted."""
    name, contact = _norm(name), _norm(contact)
    keep = {name} | ({_norm(person.full_name), _norm(person.email)} if person else set())
    staff_names = list(User.objects.exclude(full_name="").values_list("full_name", flat=True))
    cases = (
        Concern.objects.restrict(user, CaseAction.VIEW)
        .select_related("reporter")
        .prefetch_related(
            Prefetch("timeline", queryset=TimelineEntry.objects.order_by("created_at", "pk")),
            "referrals",
            "attachments",
        )
        .order_by("created_at", "pk")
    )
    for concern in cases:
        held = _held_as(concern, name=name, person=person, contact=contact)
        if not held:
            continue
        is_reporter = "reporter" in held
        reporter_identity = [
            concern.on_behalf_of,
            concern.reporter_contact,
            concern.reporter.full_name if concern.reporter else "",
            concern.reporter.email if concern.reporter else "",
        ]
        # The reporter's own identity is theirs to see; anyone else's is a third party's.
        redact = _Redactor(keep=keep, others=staff_names + ([] if is_reporter else reporter_identity))
        ref, role = concern.reference, " and ".join(held)
        yield [
            ref,
            role,
            "Case",
            f"{concern.created_at:%Y-%m-%d}",
            f"Reported through: {concern.get_channel_display()}; about: {concern.get_subject_type_display()}; "
            f"signs: {'; '.join(concern.indicator_labels) or 'none ticked'}; status: {concern.get_status_display()}"
            + (f"; outcome: {concern.get_outcome_display()}" if concern.outcome else ""),
        ]
        if is_reporter and (concern.on_behalf_of or concern.reporter_contact):
            yield [
                ref,
                role,
                "Reporter details",
                "",
                redact(f"{concern.on_behalf_of} {concern.reporter_contact}".strip()),
            ]
        for label, text in (
            ("What happened", concern.narrative),
            ("Other signs", concern.indicators_other),
            ("Where", concern.location_text),
            ("Closing summary", concern.closing_summary),
        ):
            if text:
                yield [ref, role, label, "", redact(text)]
        for entry in concern.timeline.all():
            if entry.kind in WRITTEN and entry.body:
                yield [ref, role, entry.get_kind_display(), f"{entry.created_at:%Y-%m-%d}", redact(entry.body)]
        for referral in concern.referrals.all():
            details = "; ".join(f"{label}: {text}" for label, text in _referral_texts(referral))
            yield [
                ref,
                role,
                f"Referral: {referral.get_kind_display()}",
                f"{referral.made_on:%Y-%m-%d}",
                redact(f"Consent: {referral.get_consent_display()}. {details}".strip()),
            ]
        for attachment in concern.attachments.all():
            yield [
                ref,
                role,
                "File held (supplied separately after review)",
                f"{attachment.created_at:%Y-%m-%d}",
                redact(attachment.original_name),
            ]
