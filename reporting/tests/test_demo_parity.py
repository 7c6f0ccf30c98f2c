"""The demo data gives one training completion on every page that shows it, for the same date."""

import datetime
import io
import re

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from compliance.models import User
from reporting.board_reports import board_report_context
from reporting.pdf import render_pdf
from reporting.scheduled import kpi_snapshot_take

pytestmark = pytest.mark.django_db


def test_demo_training_completion_agrees_on_dashboard_snapshot_training_page_and_board_pdf(client):
    # A month end, so last month's snapshot (taken the next day) is as at the same date as "to date" figures.
    with time_machine.travel(datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.UTC), tick=False):
        call_command("seed_demo", force=True, stdout=io.StringIO())
        snapshot = kpi_snapshot_take(today=datetime.date(2026, 12, 1))
        client.force_login(User.objects.get(email="board@nextsmartstep.example"))
        dashboard = client.get(reverse("reporting:index")).context["figures"]
        month = client.get(reverse("reporting:index"), {"period": "month", "on": "2026-11-30"}).context["figures"]
        client.force_login(User.objects.get(email="hr@nextsmartstep.example"))
        page = client.get(reverse("training:rates")).context["total"].rate
        pdf = render_pdf("reporting/pdf/board_report.html", board_report_context(financial_year=2027))
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    in_pdf = float(re.search(r"Training completion (\d+(?:\.\d+)?)%", text).group(1))
    assert dashboard["to_date"] and dashboard["as_of"] == "2026-11-30"
    assert 50 < page < 100
    assert dashboard["training_completion_pct"] == page
    assert month["training_completion_pct"] == page
    assert snapshot.figures["training_completion_pct"] == page
    assert in_pdf == page
