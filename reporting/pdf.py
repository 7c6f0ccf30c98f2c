"""HTML to PDF with WeasyPrint and the print stylesheet (not the screen CSS framework)."""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string

PRINT_CSS = Path(__file__).resolve().parent / "static" / "reporting" / "print.css"


def render_pdf(template: str, context: dict) -> bytes:
    """Render a template to PDF bytes; charts arrive as data: URIs so nothing is fetched."""
    from weasyprint import CSS, HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(PRINT_CSS.parent)).write_pdf(
        # Tagged (structure, reading order) so a screen reader can read it; lang and title come from the template.
        stylesheets=[CSS(filename=str(PRINT_CSS))],
        pdf_tags=True,
    )


def render_html(template: str, context: dict) -> str:
    return render_to_string(template, context)
