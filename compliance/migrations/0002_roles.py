"""Create the role groups. Code refers to them through compliance.roles."""

from django.db import migrations

ROLES = (
    "Staff",
    "Line manager",
    "Modern Slavery Lead",
    "Safeguarding team",
    "Procurement",
    "HR",
    "Board member",
    "Director (signatory)",
    "Compliance admin",
)


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
