"""Benchmark (not a test): render the Board report for a year of data at scale.

    DJANGO_DEBUG=true .venv/bin/python manage.py benchmark_board_report

Builds a scratch database (its own SQLite file unless --database-url is given,
e.g. a throwaway PostgreSQL database), fills it with bulk inserts (about
100,000 concerns, 10,000 suppliers and 200,000 training records by default),
then renders the Board report in a fresh process, as a worker would, and prints
its time and peak memory beside the time and memory of a one-page PDF rendered
in the same way. The aim is under 5 s and 300 MB.
"""

from __future__ import annotations

import datetime
import json
import random
import resource
import time

from django.core.management.base import BaseCommand

from reporting.management.scratch import ScratchRun

AIM_SECONDS = 5.0
AIM_MB = 300


def _peak_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Command(BaseCommand):
    help = "Time the Board report PDF at scale (scratch database; prints time and peak memory)."

    def add_arguments(self, parser):
        parser.add_argument("--concerns", type=int, default=100_000)
        parser.add_argument("--suppliers", type=int, default=10_000)
        parser.add_argument("--training", type=int, default=200_000)
        parser.add_argument(
            "--database-url", default="", help="A scratch database to fill (default: a temp SQLite file)"
        )
        parser.add_argument("--step", choices=["all", "populate", "render", "one-page"], default="all")
        parser.add_argument(
            "--reuse", action="store_true", help="The --database-url already holds the data of an earlier run"
        )

    def handle(self, *args, step="all", **options):
        if step == "populate":
            return self._populate(options)
        if step in ("render", "one-page"):
            return self._render(step)
        self._run_all(options)

    # --- Orchestration: each step in its own process so the render's memory is the worker's own.

    def _run_all(self, options):
        scratch = ScratchRun(prefix="board-report-bench-", database_url=options["database_url"])
        run = scratch.run

        self.stdout.write(f"Scratch database: {scratch.database_url}")
        if not options["reuse"]:
            run("migrate", "--noinput", "-v", "0")
            started = time.perf_counter()
            run(
                "benchmark_board_report",
                "--step=populate",
                f"--concerns={options['concerns']}",
                f"--suppliers={options['suppliers']}",
                f"--training={options['training']}",
            )
            self.stdout.write(f"Data made with bulk inserts in {time.perf_counter() - started:.1f} s")
        one_page = json.loads(run("benchmark_board_report", "--step=one-page", capture=True).strip().splitlines()[-1])
        report = json.loads(run("benchmark_board_report", "--step=render", capture=True).strip().splitlines()[-1])
        self.stdout.write("")
        self.stdout.write(f"{'':28}{'time':>10}{'peak memory':>14}")
        self.stdout.write(f"{'One-page PDF':28}{one_page['seconds']:>9.2f}s{one_page['peak_mb']:>11.0f} MB")
        self.stdout.write(f"{'Board report (year at scale)':28}{report['seconds']:>9.2f}s{report['peak_mb']:>11.0f} MB")
        self.stdout.write(f"  status {report['status']}, {report['bytes']:,} bytes")
        self.stdout.write(f"  KPIs: {report['figures']}")
        ok = report["seconds"] < AIM_SECONDS and report["peak_mb"] < AIM_MB
        verdict = "within" if ok else "OUTSIDE"
        self.stdout.write(f"Aim: under {AIM_SECONDS:.0f} s and {AIM_MB} MB: {verdict} the aim.")

    # --- Steps ---------------------------------------------------------------------------------

    def _render(self, step):
        from django.utils import timezone

        from compliance.models import User
        from reporting.board_reports import board_report_render
        from reporting.models import BoardReport
        from reporting.pdf import render_pdf

        baseline = _peak_mb()
        started = time.perf_counter()
        if step == "one-page":
            data = render_pdf(
                "reporting/pdf/statement.html",
                {"statement": _OnePage(), "organisation": {"legal_name": "Benchmark Care Ltd"}, "internal": False},
            )
            seconds, peak = time.perf_counter() - started, _peak_mb()
            result = {"status": "ready", "bytes": len(data)}
        else:
            lead = (
                User.objects.filter(email="bench-lead@example.org").first()
                or User.objects.filter(groups__name="Modern Slavery Lead").order_by("pk").first()
            )
            year = timezone.localdate().year
            report = BoardReport.objects.create(financial_year=year, requested_by=lead)
            report = board_report_render(report_id=report.pk)
            seconds, peak = time.perf_counter() - started, _peak_mb()
            # The figures are printed for a sanity check; computing them is not part of the timing.
            from compliance.services import organisation_get
            from reporting import kpis, periods

            figures = kpis.compute(periods.financial_year(organisation_get(), year))
            data = report.file.read() if report.file else b""
            result = {
                "status": report.status + (f" ({report.failure_reason})" if report.failure_reason else ""),
                "bytes": len(data),
                "figures": {
                    k: figures[k]
                    for k in ("concerns_received", "concerns_resolved", "training_completion_pct", "audits_done")
                },
            }
        result["seconds"] = seconds
        result["peak_mb"] = peak
        result["baseline_mb"] = baseline
        self.stdout.write(json.dumps(result))

    def _populate(self, options):
        from django.contrib.auth.models import Group
        from django.db import transaction
        from django.utils import timezone

        from compliance import roles
        from compliance.models import Department, Organisation, User
        from reporting.models import GovernanceMeeting, RiskRegisterEntry
        from safeguarding.models import Concern, Status
        from suppliers.models import Audit, RiskAssessment, Supplier
        from training.models import Course, TrainingRecord

        rng = random.Random(54)  # noqa: S311 - repeatable test data
        now = timezone.now()
        today = timezone.localdate()
        year_start = today - datetime.timedelta(days=365)
        with transaction.atomic():
            Organisation.objects.get_or_create(
                legal_name="Benchmark Care Ltd",
                defaults={
                    "company_number": "00000054",
                    "financial_year_end_day": today.day,
                    "financial_year_end_month": today.month,
                },
            )
            lead = User.objects.create_user("bench-lead@example.org", full_name="Bench Lead")
            lead.groups.set(Group.objects.filter(name=roles.MODERN_SLAVERY_LEAD))
            departments = [Department.objects.get_or_create(name=f"Bench department {i}")[0] for i in range(12)]
            courses = [Course.objects.create(code=f"bench-{i}", title=f"Bench course {i}") for i in range(20)]
            people = options["training"] // len(courses)
            User.objects.bulk_create(
                [
                    User(
                        email=f"bench{i}@example.org", full_name=f"Bench person {i}", department=rng.choice(departments)
                    )
                    for i in range(people)
                ],
                batch_size=2000,
            )
            user_ids = list(User.objects.filter(email__startswith="bench").values_list("pk", flat=True))
            # Staff, so that training completion counts them (a person without the Staff role is not staff).
            staff_group = Group.objects.get(name=roles.STAFF)
            User.groups.through.objects.bulk_create(
                [User.groups.through(user_id=pk, group_id=staff_group.pk) for pk in user_ids], batch_size=5000
            )
            records = []
            for user_id in user_ids:
                for course in courses:
                    assigned = year_start + datetime.timedelta(days=rng.randrange(300))
                    done = assigned + datetime.timedelta(days=rng.randrange(60)) if rng.random() < 0.8 else None
                    records.append(
                        TrainingRecord(
                            user_id=user_id,
                            course=course,
                            assigned_on=assigned,
                            due_on=assigned + datetime.timedelta(days=30),
                            completed_on=done if done and done <= today else None,
                        )
                    )
                if len(records) >= 20000:
                    TrainingRecord.objects.bulk_create(records, batch_size=5000)
                    records = []
            TrainingRecord.objects.bulk_create(records, batch_size=5000)

            subjects = ["service_user", "staff", "agency_worker", "supplier_worker", "public"]
            outcomes = ["substantiated", "not_substantiated", "referred_on", "no_further_action"]
            concerns = []
            for i in range(options["concerns"]):
                created = now - datetime.timedelta(days=rng.randrange(730), hours=rng.randrange(24))
                closed = created + datetime.timedelta(days=rng.randrange(1, 90)) if rng.random() < 0.85 else None
                closed = closed if closed and closed < now else None
                concerns.append(
                    Concern(
                        reference=f"BM-{i:07d}",
                        subject_type=rng.choice(subjects),
                        narrative="Benchmark narrative that must never reach the Board report.",
                        status=Status.CLOSED if closed else Status.INVESTIGATING,
                        outcome=rng.choice(outcomes) if closed else "",
                        created_at=created,
                        closed_at=closed,
                    )
                )
            Concern.objects.bulk_create(concerns, batch_size=5000)

            Supplier.objects.bulk_create(
                [
                    Supplier(name=f"Bench supplier {i}", status=Supplier.Status.ACTIVE)
                    for i in range(options["suppliers"])
                ],
                batch_size=5000,
            )
            supplier_ids = list(Supplier.objects.filter(name__startswith="Bench").values_list("pk", flat=True))
            RiskAssessment.objects.bulk_create(
                [
                    RiskAssessment(
                        supplier_id=pk,
                        assessed_at=now - datetime.timedelta(days=rng.randrange(400)),
                        score=rng.randrange(100),
                        band=rng.choice(["low", "low", "medium", "high"]),
                    )
                    for pk in supplier_ids
                ],
                batch_size=5000,
            )
            Audit.objects.bulk_create(
                [
                    Audit(
                        supplier_id=pk,
                        planned_date=today - datetime.timedelta(days=rng.randrange(365)),
                        completed_date=today - datetime.timedelta(days=rng.randrange(365)),
                        status=Audit.Status.COMPLETED,
                        result=rng.choice(["compliant", "minor", "major", "critical"]),
                        scope="Benchmark",
                    )
                    for pk in supplier_ids[: len(supplier_ids) // 5]
                ],
                batch_size=5000,
            )
            for i in range(20):
                RiskRegisterEntry.objects.create(
                    title=f"Bench risk {i}",
                    area="suppliers",
                    likelihood=1 + i % 5,
                    impact=1 + (i * 3) % 5,
                    owner=lead,
                    review_due=today,
                )
            for i in range(8):
                GovernanceMeeting.objects.create(
                    held_on=today - datetime.timedelta(days=45 * i),
                    title="Bench committee",
                    minutes="Minutes",
                    recorded_by=lead,
                )


class _OnePage:
    """A short published statement, for the one-page comparison."""

    title = "Benchmark Care Ltd: slavery and human trafficking statement"
    period_start = datetime.date(2024, 4, 1)
    period_end = datetime.date(2025, 3, 31)
    carried_forward = False
    introduction = "This statement sets out the steps we have taken."
    progress = ""
    next_steps = ""
    approved_on = datetime.date(2025, 6, 1)
    signed_by = True
    signatory_name = "Dana Director"
    signatory_title = "Chief executive"
    signed_on = datetime.date(2025, 6, 2)

    def sections(self):
        return [{"key": "structure", "heading": "Structure", "text": "We provide care.", "evidence": []}]

    def next_step_lines(self):
        return []
