"""Every CSV/XLSX download is formula-safe, whichever text field a hostile value was typed into.

The exports are found from the URL configuration (every page without
arguments, its download variants and the download links it shows), so a new
export is checked the day it is added; a second test makes sure nothing
writes CSV or XLSX except `compliance.exports`.
"""

import csv
import io
import re
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import IntegrityError, models, transaction
from django.db.models import Value
from django.db.models.functions import Cast, Concat, Left
from openpyxl import load_workbook

from compliance import exports, roles
from compliance.models import AccessLog, Department, Site
from compliance.tests.factories import UserFactory
from safeguarding.tests.factories import ConcernFactory
from tests.support import enrol_totp
from tests.test_object_permissions import world  # noqa: F401  one object of each kind
from tests.test_permission_matrix import ROUTES
from training.tests.factories import TrainingRecordFactory

pytestmark = pytest.mark.django_db

OUR_APPS = ("compliance", "safeguarding", "suppliers", "training", "reporting")
# The downloads that exist today: the walk must find at least these (so a broken walk fails loudly).
KNOWN_EXPORTS = {
    "/access-log/?format=csv",
    "/access-log/?format=xlsx",
    "/cases/export.csv",
    "/cases/export.xlsx",
    "/training/rates/?export=csv",
    "/training/rates/?export=xlsx",
    "/reporting/kpis.csv",
    "/reporting/kpis.xlsx",
    "/reporting/statements/registry.csv",
    "/reporting/statements/registry.xlsx",
    "/suppliers/export/",
    "/suppliers/export/?format=xlsx",
}
VARIANTS = ({"format": "csv"}, {"format": "xlsx"}, {"export": "csv"})
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
HREF = re.compile(r'href="([^"#]+)"')
BUTTON = re.compile(r'name="(\w+)" value="(csv|xlsx)"')
DOWNLOAD_WORDS = re.compile(r"csv|xlsx|excel|export|download", re.IGNORECASE)


def _is_export(response) -> bool:
    kind = response.get("Content-Type", "")
    return response.status_code == 200 and (kind.startswith("text/csv") or kind == exports.XLSX_CONTENT_TYPE)


def _cells(response) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("text/csv"):
        return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]
    workbook = load_workbook(io.BytesIO(body))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for cell in row if cell]


@pytest.fixture
def everyone(world):  # noqa: F811
    """A person in every role (so every export opens), plus data that reaches each export."""
    user = UserFactory(roles=list(roles.ALL_ROLES))
    enrol_totp(user)
    lead = world["users"][roles.MODERN_SLAVERY_LEAD]
    site = Site.objects.create(name="Riverside")
    ConcernFactory(location_text="Back door of the laundry", assignee=lead)
    ConcernFactory(site=site, assignee=lead)
    department = Department.objects.create(name="Housekeeping")
    TrainingRecordFactory(user=UserFactory(roles=[roles.STAFF], department=department))
    AccessLog.objects.create(user=lead, action="view", object_repr="A case", detail="read", path="/cases/")
    return user


def _discover(client) -> set[str]:
    """Every URL without arguments, and the downloads its page offers (links, buttons, format variants)."""
    found, seen = set(), set()

    def visit(url):
        if url in seen:
            return None
        seen.add(url)
        response = client.get(url)
        if _is_export(response):
            found.add(url)
        return response

    for route in ROUTES:
        if route.startswith("/accounts/"):
            continue
        response = visit(route)
        if response is None or response.status_code != 200 or response.streaming:
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        if not DOWNLOAD_WORDS.search(html):
            continue
        # A page that offers a download: try the usual switches and every button and link it has.
        for params in [*VARIANTS, *({name: value} for name, value in BUTTON.findall(html))]:
            visit(f"{route}?{urlencode(params)}")
        for href in HREF.findall(html):
            href = href.replace("&amp;", "&")
            parts = urlsplit(href)
            path = parts.path or route
            if parts.netloc or not path.startswith("/") or path.startswith(("/accounts/logout", "/static/")):
                continue
            if DOWNLOAD_WORDS.search(href):
                visit(path + (f"?{parts.query}" if parts.query else ""))
    return found


def _plant(char: str) -> int:
    """Put a formula starting with `char` into every free-text field of every row of our apps.

    One UPDATE per field (the row's primary key in the value keeps unique fields unique), not one
    per row: the same values, a fraction of the statements.
    """
    planted = 0
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS or model._meta.proxy:
            continue
        rows = model._default_manager.count()
        if not rows:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField) or field.choices or field.primary_key:
                continue
            if field.name == "password" or (field.max_length or 100) < 8:
                continue
            if type(field) in PLAIN_TEXT_FIELDS:
                planted += _plant_in_sql(model, field, char, rows)
            else:  # encrypted and other custom fields prepare each value in Python
                planted += _plant_row_by_row(model, field, char)
    return planted


PLAIN_TEXT_FIELDS = (models.CharField, models.TextField, models.EmailField, models.SlugField, models.URLField)


def _plant_value(field, char: str, pk) -> str:
    if isinstance(field, models.EmailField):
        return f"{char}x{pk}@example.org"
    return f"{char}SUM({pk})"[: field.max_length or 100]


def _plant_in_sql(model, field, char: str, rows: int) -> int:
    pk = Cast("pk", models.CharField())
    if isinstance(field, models.EmailField):
        value = Concat(Value(f"{char}x"), pk, Value("@example.org"))
    else:
        value = Left(Concat(Value(f"{char}SUM("), pk, Value(")")), field.max_length or 100)
    try:
        with transaction.atomic():
            model._default_manager.update(**{field.name: value})
    except IntegrityError:  # a constraint refuses some row's value: plant the others one by one
        return _plant_row_by_row(model, field, char)
    return rows


def _plant_row_by_row(model, field, char: str) -> int:
    planted = 0
    for pk in model._default_manager.values_list("pk", flat=True):
        try:
            with transaction.atomic():
                model._default_manager.filter(pk=pk).update(**{field.name: _plant_value(field, char, pk)})
            planted += 1
        except IntegrityError:
            continue
    return planted


def test_every_export_escapes_formulas_planted_in_every_text_field(client, everyone):
    client.force_login(everyone)
    found = _discover(client)
    assert found >= KNOWN_EXPORTS, f"the walk did not find: {KNOWN_EXPORTS - found}"
    failures = []
    for char in exports.FORMULA_START:
        assert _plant(char) > 100
        # The planting writes with raw UPDATEs, past the services and signals that retire cached
        # figures (compliance/figure_cache.py, reporting/kpi_figures.py): clear them as a deploy would.
        cache.clear()
        client.force_login(everyone)  # the user's own name and email were just overwritten
        for url in sorted(found):
            response = client.get(url)
            assert _is_export(response), url
            assert "attachment" in response["Content-Disposition"]
            assert response["Cache-Control"] == "no-store"
            cells = [str(c) for c in _cells(response)]
            live = [c for c in cells if c.startswith(exports.FORMULA_START) and not NUMBER.match(c)]
            if live:
                failures.append(f"{url} {char!r}: {live[:3]}")
            # XML turns a stored CR into LF when the workbook is read back.
            if not any(c.startswith(("'" + char, "'" + char.replace("\r", "\n"))) for c in cells):
                failures.append(f"{url} {char!r}: no planted value reached this export, so the check proves nothing")
    assert not failures, "\n".join(failures)
    # Each download is in the access log.
    assert AccessLog.objects.filter(action="export").count() >= len(found) * len(exports.FORMULA_START)


def test_no_module_writes_csv_or_xlsx_except_the_export_helper():
    root = Path(__file__).resolve().parent.parent
    helper = root / "compliance" / "exports.py"
    offenders = []
    for path in root.glob("*/**/*.py"):
        if ".venv" in path.parts or "node_modules" in path.parts or "tests" in path.parts or path == helper:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"csv\.(writer|DictWriter)\(|Workbook\(|xlsxwriter", text):
            offenders.append(str(path.relative_to(root)))
    assert not offenders, "Use compliance.exports.csv_download/xlsx_download in: " + ", ".join(offenders)


@pytest.mark.parametrize("char", exports.FORMULA_START)
def test_escape_cell_makes_each_formula_start_text(char):
    assert exports.escape_cell(f"{char}1+1") == f"'{char}1+1"
    assert exports.unescape_cell(exports.escape_cell(f"{char}1+1")) == f"{char}1+1"
    assert exports.escape_cell(-3) == -3
    assert exports.escape_cell("Plain") == "Plain"
