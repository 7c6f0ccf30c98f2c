"""Encrypt case free text and attachment files at rest (compliance/encryption.py).

The columns become text (ciphertext is longer than the old max_length), every stored
value and file is encrypted under the newest DATA_ENCRYPTION_KEYS key, and the clear
copies django-auditlog kept of fields now encrypted are removed from the change log.
"""

from django.db import migrations

import compliance.encryption

# The fields this migration encrypts: model -> columns.
ENCRYPTED = {
    "Concern": [
        "on_behalf_of",
        "reporter_contact",
        "location_text",
        "indicators_other",
        "narrative",
        "closing_summary",
    ],
    "TimelineEntry": ["body"],
    "IdentityGrant": ["reason"],
    "Referral": ["contact", "outcome"],
    "Attachment": ["original_name"],
}


def encrypt_existing(apps, schema_editor):
    for name, columns in ENCRYPTED.items():
        compliance.encryption.encrypt_table_columns(model=apps.get_model("safeguarding", name), columns=columns)
    Attachment = apps.get_model("safeguarding", "Attachment")
    for attachment in Attachment.objects.exclude(file="").iterator():
        compliance.encryption.encrypt_stored_file(attachment.file)
    # The change log kept some of these fields in clear before they were excluded from it.
    LogEntry = apps.get_model("auditlog", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for name, columns in ENCRYPTED.items():
        ct = ContentType.objects.filter(app_label="safeguarding", model=name.lower()).first()
        if ct is None:
            continue
        for entry in LogEntry.objects.filter(content_type=ct).iterator():
            changes = entry.changes if isinstance(entry.changes, dict) else None
            if changes and any(c in changes for c in columns):
                kept = {k: v for k, v in changes.items() if k not in columns}
                LogEntry.objects.filter(pk=entry.pk).update(changes=kept, changes_text="")


def decrypt_existing(apps, schema_editor):
    for name, columns in ENCRYPTED.items():
        compliance.encryption.decrypt_table_columns(model=apps.get_model("safeguarding", name), columns=columns)


class Migration(migrations.Migration):
    dependencies = [
        ("safeguarding", "0006_concern_language"),
        ("auditlog", "0017_add_actor_email"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        # Rolled back, the columns are decrypted before they turn back into varchar.
        migrations.RunPython(migrations.RunPython.noop, decrypt_existing),
        migrations.AlterField(
            model_name="attachment",
            name="original_name",
            field=compliance.encryption.EncryptedCharField(max_length=255),
        ),
        migrations.AlterField(
            model_name="concern",
            name="closing_summary",
            field=compliance.encryption.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="concern",
            name="indicators_other",
            field=compliance.encryption.EncryptedCharField(blank=True, max_length=500, verbose_name="other signs"),
        ),
        migrations.AlterField(
            model_name="concern",
            name="location_text",
            field=compliance.encryption.EncryptedCharField(
                blank=True, max_length=255, verbose_name="where (if not one of our sites)"
            ),
        ),
        migrations.AlterField(
            model_name="concern",
            name="narrative",
            field=compliance.encryption.EncryptedTextField(verbose_name="what happened"),
        ),
        migrations.AlterField(
            model_name="concern",
            name="on_behalf_of",
            field=compliance.encryption.EncryptedCharField(
                blank=True,
                help_text="The person who raised it with the manager.",
                max_length=200,
                verbose_name="reported on behalf of",
            ),
        ),
        migrations.AlterField(
            model_name="concern",
            name="reporter_contact",
            field=compliance.encryption.EncryptedCharField(
                blank=True,
                help_text="Optional: a phone number or email.",
                max_length=200,
                verbose_name="how to contact the reporter",
            ),
        ),
        migrations.AlterField(
            model_name="identitygrant",
            name="reason",
            field=compliance.encryption.EncryptedCharField(max_length=500),
        ),
        migrations.AlterField(
            model_name="referral",
            name="contact",
            field=compliance.encryption.EncryptedCharField(blank=True, max_length=200, verbose_name="contact there"),
        ),
        migrations.AlterField(
            model_name="referral",
            name="outcome",
            field=compliance.encryption.EncryptedTextField(blank=True, verbose_name="outcome reported back"),
        ),
        migrations.AlterField(
            model_name="timelineentry",
            name="body",
            field=compliance.encryption.EncryptedTextField(blank=True),
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop),
    ]
