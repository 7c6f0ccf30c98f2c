"""Case data encrypted at rest: raw columns and files on disk hold no plain text; keys rotate."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from compliance.encryption import EncryptedFieldMixin, encrypted_fields
from safeguarding import services
from safeguarding.models import (
    Attachment,
    Channel,
    Concern,
    IdentityGrant,
    Redaction,
    Referral,
    SubjectType,
    TimelineEntry,
)
from safeguarding.tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()

# Words that appear only in what a person wrote: none may be found anywhere at rest.
SECRETS = {
    "narrative": "Zephyrine sleeps in the van behind the laundry",
    "contact": "07700 900461 after dark",
    "on_behalf": "Quillon Marsh",
    "location": "Unit 9 Brackley Trading Estate",
    "other": "branded with a tattoo of the gang",
    "note": "Spoke to Ottoline at the agency desk",
    "message": "We will call you on the safe number",
    "grant": "Needs to phone Wenceslas back",
    "referral_contact": "PC Anselm Grieve",
    "referral_outcome": "Reasonable grounds decision for Zephyrine",
    "referral_needs": "Interpreter for Zephyrine, Amharic",
    "referral_where": "Staying at Ravensworth Close",
    "referral_safe": "Text Zephyrine's sister first",
    "referral_support": "Zephyrine needs a GP",
    "referral_other": "Made to sign loans at Ravensworth",
    "closing": "Zephyrine moved to a safe house",
    "file": "the gangmaster Barnabus keeps every passport",
    "file_name": "Barnabus-passports",
}


# Names that occur in no other text of the app.
NAMES = [
    "Zephyrine",
    "Quillon",
    "Brackley",
    "Ottoline",
    "Wenceslas",
    "Anselm",
    "Barnabus",
    "07700 900461",
    "Ravensworth",
]


def _every_stored_string():
    """Every text value in every table of the database, read with plain SQL (no model decrypts it)."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, str | bytes | memoryview | dict | list):
                        yield table, str(bytes(value) if isinstance(value, memoryview) else value)


def _every_stored_file(media_root):
    for path in Path(media_root).rglob("*"):
        if path.is_file():
            yield path, path.read_bytes()


def _referral_free_text() -> list[str]:
    names = [f.name for f in encrypted_fields(Referral) if f.name != "contact"]
    assert names  # at least the outcome text
    return names


@pytest.fixture
def full_case(lead, team_member, manager_user):
    """A case with something in every encrypted field, written through the services as people do."""
    concern = services.concern_submit(
        reporter=manager_user,
        channel=Channel.MANAGER_ON_BEHALF,
        subject_type=SubjectType.AGENCY_WORKER,
        indicators=["other"],
        indicators_other=SECRETS["other"],
        narrative=SECRETS["narrative"],
        location_text=SECRETS["location"],
        on_behalf_of=SECRETS["on_behalf"],
        reporter_contact=SECRETS["contact"],
    )
    concern = services.concern_triage(concern=concern, actor=lead, risk_level="high", assignee=team_member)
    services.concern_note_add(concern=concern, actor=lead, body=SECRETS["note"])
    services.concern_message_reporter(concern=concern, actor=lead, body=SECRETS["message"])
    services.identity_grant(concern=concern, actor=lead, user=team_member, reason=SECRETS["grant"])
    # Every free-text field a referral has (the factory and the field list follow the model).
    referral = ReferralFactory(concern=concern, contact=SECRETS["referral_contact"])
    for name in _referral_free_text():
        setattr(referral, name, SECRETS["referral_outcome"])
    referral.save()
    services.attachment_add(
        concern=concern,
        actor=lead,
        upload=SimpleUploadedFile(f"{SECRETS['file_name']}.txt", SECRETS["file"].encode()),
    )
    concern = services.concern_investigate(concern=concern, actor=lead)
    services.concern_close(concern=concern, actor=lead, outcome="substantiated", summary=SECRETS["closing"])
    return Concern.objects.get(pk=concern.pk)


def test_no_plain_text_in_any_table_or_file(full_case, settings):
    found = [
        (table, name) for table, text in _every_stored_string() for name, secret in SECRETS.items() if secret in text
    ] + [(table, name) for table, text in _every_stored_string() for name in NAMES if name in text]
    assert found == []
    files = list(_every_stored_file(settings.MEDIA_ROOT))
    assert len(files) == 1
    path, data = files[0]
    assert SECRETS["file"].encode() not in data
    assert data.startswith(b"gAAAAA")
    assert SECRETS["file_name"] not in str(path)


def test_models_read_back_the_plain_text(full_case, client, login, lead):
    assert full_case.narrative == SECRETS["narrative"]
    assert full_case.reporter_contact == SECRETS["contact"]
    assert full_case.closing_summary == SECRETS["closing"]
    assert set(TimelineEntry.objects.filter(concern=full_case).values_list("body", flat=True)) >= {
        SECRETS["note"],
        SECRETS["message"],
    }
    assert IdentityGrant.objects.get(concern=full_case).reason == SECRETS["grant"]
    referral = Referral.objects.get(concern=full_case)
    assert referral.contact == SECRETS["referral_contact"]
    assert {getattr(referral, name) for name in _referral_free_text()} == {SECRETS["referral_outcome"]}
    # The Lead's case page shows the text; the download view gives the file back in clear.
    login(lead)
    html = client.get(full_case.get_absolute_url()).content.decode()
    assert SECRETS["narrative"] in html and SECRETS["note"] in html
    attachment = Attachment.objects.get(concern=full_case)
    response = client.get(reverse("safeguarding:attachment_download", args=[full_case.reference, attachment.pk]))
    assert b"".join(response.streaming_content) == SECRETS["file"].encode()
    assert SECRETS["file_name"] in response["Content-Disposition"]


def test_every_free_text_field_of_a_case_is_encrypted():
    """A new free-text field on a case record must be encrypted or named here with a reason."""
    # Structured or reference values that stay searchable (the issue: "references and structured fields").
    clear = {
        Concern: {"reference", "language", "receipt_code_hash", "supplier_named", "subject_type"},
        Referral: {
            "organisation",
            "external_reference",
            "police_force",
            "crime_reference",
            "care_act_enquiry_reference",  # the local authority's s.42 enquiry reference
        },
        Attachment: {"content_type", "sha256", "file"},
        TimelineEntry: set(),
        IdentityGrant: set(),
        Redaction: set(),
    }
    for model, allowed in clear.items():
        plain_text = {
            f.name
            for f in model._meta.concrete_fields
            if f.get_internal_type() in {"CharField", "TextField", "FileField"}
            and not f.choices
            and not isinstance(f, EncryptedFieldMixin)
        }
        assert plain_text <= allowed, f"{model.__name__}: {plain_text - allowed} stored in clear"
        assert encrypted_fields(model) or model is Attachment


def test_encrypted_fields_refuse_searches_that_could_never_match(full_case):
    with pytest.raises(FieldError):
        list(Concern.objects.filter(narrative=SECRETS["narrative"]))
    with pytest.raises(FieldError):
        list(Concern.objects.filter(narrative__icontains="Zephyrine"))
    # Blank checks still work, and references stay searchable.
    assert not Concern.objects.filter(reporter_contact="").filter(pk=full_case.pk).exists()
    assert Concern.objects.filter(reference__icontains=full_case.reference[-5:]).get() == full_case


def _raw(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_rotation_reencrypts_under_the_new_key_and_old_data_still_reads(full_case, settings, client, login, lead):
    settings.DATA_ENCRYPTION_KEYS = [OLD_KEY, *settings.DATA_ENCRYPTION_KEYS]
    call_command("encrypt_case_data", stdout=StringIO())  # everything under the "old" key
    assert Fernet(OLD_KEY).decrypt(_raw("safeguarding_concern", "narrative", full_case.pk).encode())
    attachment = Attachment.objects.get(concern=full_case)

    # A new key goes first: old data still reads before anything is re-encrypted.
    settings.DATA_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert Concern.objects.get(pk=full_case.pk).narrative == SECRETS["narrative"]
    call_command("encrypt_case_data", stdout=StringIO())
    assert Fernet(NEW_KEY).decrypt(_raw("safeguarding_concern", "narrative", full_case.pk).encode()) == (
        SECRETS["narrative"].encode()
    )
    with attachment.file.open("rb") as handle:
        assert Fernet(NEW_KEY).decrypt(handle.read()) == SECRETS["file"].encode()

    # The old key removed: everything still reads, the file still downloads.
    settings.DATA_ENCRYPTION_KEYS = [NEW_KEY]
    concern = Concern.objects.get(pk=full_case.pk)
    assert (concern.narrative, concern.reporter_contact) == (SECRETS["narrative"], SECRETS["contact"])
    referral = Referral.objects.get(concern=full_case)
    assert {getattr(referral, name) for name in _referral_free_text()} == {SECRETS["referral_outcome"]}
    login(lead)
    response = client.get(reverse("safeguarding:attachment_download", args=[full_case.reference, attachment.pk]))
    assert b"".join(response.streaming_content) == SECRETS["file"].encode()

    # A second run has nothing to do.
    out = StringIO()
    call_command("encrypt_case_data", stdout=out)
    assert "Re-encrypted 0 value(s) and 0 file(s)" in out.getvalue()


def test_rotation_stops_unchanged_when_a_value_needs_a_missing_key(full_case, settings):
    before = _raw("safeguarding_concern", "narrative", full_case.pk)
    settings.DATA_ENCRYPTION_KEYS = [NEW_KEY]  # the suite's key, which encrypted the case, is gone
    with pytest.raises(CommandError, match="put the old key back"):
        call_command("encrypt_case_data")
    assert _raw("safeguarding_concern", "narrative", full_case.pk) == before


def test_values_and_files_stored_before_encryption_are_encrypted_by_the_command(full_case, settings):
    """What migration 0007 does to rows and files written by earlier releases (same function)."""
    attachment = Attachment.objects.get(concern=full_case)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE safeguarding_concern SET narrative = %s, reporter_contact = %s WHERE id = %s",
            ["an old plain narrative", "an old plain contact", full_case.pk],
        )
    Path(attachment.file.path).write_bytes(b"an old plain file")
    # Readable before the command runs (so a deploy never shows an error page)...
    assert Concern.objects.get(pk=full_case.pk).narrative == "an old plain narrative"
    call_command("encrypt_case_data", stdout=StringIO())
    # ...and encrypted after it.
    assert _raw("safeguarding_concern", "narrative", full_case.pk).startswith("gAAAAA")
    assert "plain" not in _raw("safeguarding_concern", "reporter_contact", full_case.pk)
    assert Path(attachment.file.path).read_bytes().startswith(b"gAAAAA")
    assert Concern.objects.get(pk=full_case.pk).narrative == "an old plain narrative"
    assert Attachment.objects.get(pk=attachment.pk).read_decrypted() == b"an old plain file"


def test_production_refuses_to_start_without_a_data_key():
    from django.conf import settings as django_settings

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "DATA_ENCRYPTION"))}
    env |= {"DJANGO_SETTINGS_MODULE": "compliance.settings", "DJANGO_SECRET_KEY": "x" * 50}
    for extra, message in [
        ({}, "DATA_ENCRYPTION_KEYS is not set"),
        ({"DATA_ENCRYPTION_KEYS": "short"}, "not a Fernet"),
    ]:
        result = subprocess.run(
            [sys.executable, "manage.py", "check"],
            cwd=django_settings.BASE_DIR,
            env=env | extra,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode != 0
        assert message in result.stderr
        assert "Traceback" not in result.stderr
