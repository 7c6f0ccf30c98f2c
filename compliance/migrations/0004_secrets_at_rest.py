"""Secrets at rest: encrypt stored MFA secrets; drop the old plain-text API token table.

DRF's authtoken table held every API token in clear. It is dropped rather than
converted: its keys have been readable, so people create new (hashed) tokens on
the API token page.
"""

from django.db import migrations


def encrypt_mfa_secrets(apps, schema_editor):
    from compliance.mfa_secrets import authenticators_encrypt

    authenticators_encrypt(model=apps.get_model("mfa", "Authenticator"))


def decrypt_mfa_secrets(apps, schema_editor):
    from compliance.mfa_secrets import authenticator_data_decrypted

    model = apps.get_model("mfa", "Authenticator")
    for authenticator in model.objects.filter(type__in=["totp", "recovery_codes"]).iterator():
        data = authenticator_data_decrypted(kind=authenticator.type, data=authenticator.data)
        model.objects.filter(pk=authenticator.pk).update(data=data)


def drop_plain_text_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" in connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name('authtoken_token')}")
    # Forget its migrations too, so the app could be installed again cleanly.
    from django.db.migrations.recorder import MigrationRecorder

    MigrationRecorder(connection).migration_qs.filter(app="authtoken").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0003_policies"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [
        migrations.RunPython(encrypt_mfa_secrets, decrypt_mfa_secrets),
        migrations.RunPython(drop_plain_text_tokens, migrations.RunPython.noop),
    ]
