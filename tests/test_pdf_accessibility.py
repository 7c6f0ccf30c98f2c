"""The PDFs a person may read with a screen reader are tagged and carry their language and title."""

import io

import pytest
from pypdf import PdfReader

from compliance.tests.factories import OrganisationFactory
from reporting.tests.factories import StatementFactory
from safeguarding.pdf import case_summary_pdf
from safeguarding.tests.factories import ConcernFactory

pytestmark = pytest.mark.django_db


def _assert_accessible(data: bytes, title: str) -> None:
    reader = PdfReader(io.BytesIO(data))
    catalogue = reader.trailer["/Root"]
    assert catalogue["/Lang"] == "en-GB"
    assert reader.metadata.title == title
    # Tagged: a structure tree, and the document says it is marked.
    assert "/StructTreeRoot" in catalogue
    assert catalogue["/MarkInfo"]["/Marked"]


def test_case_summary_pdf_is_tagged_with_language_and_title():
    concern = ConcernFactory()
    _assert_accessible(case_summary_pdf(concern=concern), f"Case summary {concern.reference}")


def test_published_statement_pdf_is_tagged_with_language_and_title(client):
    OrganisationFactory()
    statement = StatementFactory(status="published", published_on="2025-06-30", approved_on="2025-06-20")
    response = client.get(f"/reporting/statement/{statement.period_end.year}/pdf/")
    assert response.status_code == 200
    _assert_accessible(
        b"".join(response.streaming_content) if response.streaming else response.content, statement.title
    )
