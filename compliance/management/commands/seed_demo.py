"""Load demo data: safe to run again, it updates rather than duplicates."""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from compliance import demo

# Each app may ship a `demo.py` with `seed(stdout)`; they run in this order so
# that later apps can use earlier apps' people and suppliers.
APP_DEMOS = ("training", "suppliers", "safeguarding", "reporting")


class Command(BaseCommand):
    help = "Create the demo organisation, one login per role and example records (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow running with DEBUG off (never in production).")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password: it runs only with DJANGO_DEBUG=true (or --force)."
            )
        with transaction.atomic():
            logins = demo.seed(stdout=self.stdout)
            for app in APP_DEMOS:
                try:
                    module = import_module(f"{app}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app}.demo":
                        raise
                    continue
                module.seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at http://127.0.0.1:8000 with:"))
        width = max(len(email) for email, _ in logins)
        for email, role_names in logins:
            self.stdout.write(f"  {email.ljust(width)}  {role_names}")
        self.stdout.write(f"  password for every demo login: {demo.DEMO_PASSWORD}")
        self.stdout.write(
            "  Lead, Safeguarding, Director and Admin are asked to set up an authenticator app (TOTP) at first sign-in."
        )
