"""Benchmark (not a test): rows per second of the background imports, big files beside a small one.

    DJANGO_DEBUG=true .venv/bin/python manage.py bench_imports [--database-url postgres://.../scratch]

Migrates a scratch database (a temp SQLite file unless --database-url names a
throwaway PostgreSQL database), then runs the check and the apply of each import
exactly as the worker does (same services, same transaction, progress and
history), timed: a 100-row and a 5,000-row supplier register, a 100-row and a
20,000-row staff roster. The small imports in the same run are the baseline.
The aim is under 10 s for the 5,000-row supplier apply on two cores.
"""

from __future__ import annotations

import os
import time

from django.core.management.base import BaseCommand

from reporting.management.scratch import ScratchRun

AIM_SUPPLIER_APPLY_SECONDS = 10.0


def _supplier_csv(rows: int, offset: int) -> bytes:
    from suppliers.services.imports import COLUMNS

    categories = ("cleaning", "catering", "it_hardware", "laundry", "construction")
    lines = [",".join(COLUMNS)] + [
        f"Bench supplier {n},{n:08d},{categories[n % len(categories)]},GB;PL,{1000 + n},,2025-04-01,,"
        f"{'yes' if n % 2 else 'no'},no,no,no,no,no,no,prospective,Contact {n},c{n}@example.org"
        for n in range(offset, offset + rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def _roster_csv(rows: int, offset: int) -> str:
    lines = ["Email,Name,Job title,Department,Site,Line manager email,Start date,Employment type"] + [
        f"p{n}@bench.example,Person {n},Carer,{('Care', 'Kitchen', 'Office')[n % 3]},Site {n % 7},"
        f"{'' if n - offset < 50 else f'p{offset + n % 50}@bench.example'},2024-01-15,permanent"
        for n in range(offset, offset + rows)
    ]
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Time the supplier and roster imports (check and apply) at 100 rows and at scale; prints rows/s."

    def add_arguments(self, parser):
        parser.add_argument("--suppliers", type=int, default=5_000)
        parser.add_argument("--roster", type=int, default=20_000)
        parser.add_argument("--database-url", default="", help="A scratch database (default: a temp SQLite file)")
        parser.add_argument("--step", choices=["all", "run"], default="all")

    def handle(self, *args, step="all", **options):
        if step == "run":
            return self._run(options)
        scratch = ScratchRun(prefix="imports-bench-", database_url=options["database_url"])
        scratch.run("migrate", "--noinput", "-v0")
        scratch.run(
            "bench_imports", "--step=run", f"--suppliers={options['suppliers']}", f"--roster={options['roster']}"
        )

    def _run(self, options):
        from django.contrib.auth.models import Group

        from compliance import roles
        from compliance.leases import ImportStatus
        from compliance.models import User
        from suppliers.models import Supplier, SupplierImport
        from suppliers.services import imports as supplier_imports
        from training import imports as training_imports
        from training.models import ImportBatch

        for name in (roles.STAFF, roles.LINE_MANAGER, roles.PROCUREMENT, roles.HR):
            Group.objects.get_or_create(name=name)
        actor, _ = User.objects.get_or_create(email="bench@bench.example", defaults={"full_name": "Bench"})
        actor.groups.add(*Group.objects.filter(name__in=[roles.STAFF, roles.PROCUREMENT, roles.HR]))
        supplier_imports.MAX_ROWS = max(supplier_imports.MAX_ROWS, options["suppliers"])

        def timed(fn):
            start = time.perf_counter()
            result = fn()
            return time.perf_counter() - start, result

        results = []
        # A rerun on the same scratch database adds new rows after the earlier ones.
        offset = Supplier.objects.count()
        suppliers_before = offset
        for rows in (100, options["suppliers"]):
            job = SupplierImport.objects.create(
                filename="bench.csv", content=_supplier_csv(rows, offset), uploaded_by=actor
            )
            offset += rows
            check_s, job = timed(lambda job=job: supplier_imports.supplier_import_check(job_id=job.pk))
            assert job.status == ImportStatus.CHECKED and not job.errors, job.errors[:3]
            job.status, job.confirmed_by = ImportStatus.APPLY_QUEUED, actor
            job.save()
            apply_s, job = timed(lambda job=job: supplier_imports.supplier_import_apply(job_id=job.pk))
            assert job.status == ImportStatus.APPLIED, job.failure_reason
            results.append(("supplier register", rows, check_s, apply_s))
        assert Supplier.objects.count() == suppliers_before + 100 + options["suppliers"]
        offset = User.objects.count()
        for rows in (100, options["roster"]):
            batch = ImportBatch.objects.create(
                kind=ImportBatch.Kind.ROSTER,
                filename="roster.csv",
                content=_roster_csv(rows, offset),
                uploaded_by=actor,
            )
            offset += rows
            check_s, batch = timed(lambda batch=batch: training_imports.import_batch_check(batch_id=batch.pk))
            assert batch.status == ImportStatus.CHECKED and not batch.errors, batch.errors[:3]
            batch.status, batch.confirmed_by = ImportStatus.APPLY_QUEUED, actor
            batch.save()
            apply_s, batch = timed(lambda batch=batch: training_imports.import_batch_apply(batch_id=batch.pk))
            assert batch.status == ImportStatus.APPLIED, batch.failure_reason
            results.append(("staff roster", rows, check_s, apply_s))

        from django.db import connection

        self.stdout.write(f"Database: {connection.vendor}; {os.cpu_count()} CPU(s)")
        self.stdout.write(f"{'import':<18} {'rows':>7} {'check s':>8} {'rows/s':>8} {'apply s':>8} {'rows/s':>8}")
        for name, rows, check_s, apply_s in results:
            self.stdout.write(
                f"{name:<18} {rows:>7} {check_s:>8.2f} {rows / check_s:>8.0f} {apply_s:>8.2f} {rows / apply_s:>8.0f}"
            )
        big = results[1]
        verdict = "within" if big[3] < AIM_SUPPLIER_APPLY_SECONDS else "OVER"
        self.stdout.write(
            f"{big[1]}-row supplier apply: {big[3]:.1f} s, {verdict} the aim of {AIM_SUPPLIER_APPLY_SECONDS:.0f} s."
        )
