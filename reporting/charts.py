"""Server-side SVG charts (pygal): the same chart serves the dashboard and the PDF.

pygal's SVG carries its own <style> element and would reference a CDN script;
`js=[]` removes the script, and embedding the SVG as a data: URI in an <img>
keeps its internal styles out of reach of the page's CSP (style-src 'self'),
while WeasyPrint draws the same data: URI in the Board report.
"""

from __future__ import annotations

import base64
import math
import re
from dataclasses import dataclass

import pygal
from pygal.style import Style

_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#222",
    foreground_strong="#000",
    foreground_subtle="#555",
    # Colour-blind-safe palette with enough contrast against white.
    colors=("#1d3f72", "#b35c00", "#2a7a3b", "#8a1c3c", "#5b4a9e", "#555555"),
    font_family="DejaVu Sans, Arial, sans-serif",
    title_font_size=16,
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    value_font_size=11,
)


def _config(**kwargs) -> dict:
    return {
        "js": [],
        "style": _STYLE,
        "width": 640,
        "height": 320,
        "print_values": True,
        "disable_xml_declaration": True,
        "explicit_size": True,
        "show_legend": False,
        **kwargs,
    }


# pygal still writes a small inline config <script> even with js=[]; an image never runs it,
# but nothing executable belongs in a chart.
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)


def _render(chart) -> str:
    return _SCRIPT.sub("", chart.render(is_unicode=True))


@dataclass
class Chart:
    title: str
    svg: str
    description: str  # the figures in words, for screen readers and the PDF

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def _describe(data: dict) -> str:
    return "; ".join(f"{label}: {value}" for label, value in data.items()) or "No data for this period."


def bar(title: str, data: dict, *, percent: bool = False) -> Chart:
    """A horizontal bar chart of {label: value}; empty data draws an empty chart, not an error."""
    chart = pygal.HorizontalBar(**_config(title=title, range=(0, 100) if percent else None))
    if percent:
        chart.value_formatter = lambda v: f"{v:.0f}%"
    elif data:
        # Counts are whole numbers: ticks at whole steps, not 0.1, 0.2, ...
        top = max(data.values()) or 1
        step = max(1, math.ceil(top / 5))
        chart.y_labels = list(range(0, top + step, step))
        chart.value_formatter = lambda v: f"{v:.0f}"
    if data:
        for label, value in data.items():
            chart.add(str(label), [value])
        chart.config.show_legend = True
        chart.config.legend_at_bottom = True
    else:
        chart.config.no_data_text = "No data for this period"
    return Chart(title, _render(chart), _describe(data))


def trend_line(title: str, labels: list[str], series: dict[str, list]) -> Chart:
    chart = pygal.Line(**_config(title=title, show_legend=len(series) > 1, legend_at_bottom=True, x_label_rotation=30))
    chart.x_labels = labels
    for name, values in series.items():
        chart.add(name, values)
    # Counts are whole numbers: ticks at whole steps, not 0.2, 0.4, ...
    top = max((v for values in series.values() for v in values), default=0) or 1
    step = max(1, math.ceil(top / 5))
    chart.y_labels = list(range(0, top + step, step))
    chart.value_formatter = lambda v: f"{v:.0f}"
    described = "; ".join(
        f"{name}: " + ", ".join(f"{x} {y}" for x, y in zip(labels, values, strict=False))
        for name, values in series.items()
    )
    return Chart(title, _render(chart), described or "No data.")


def kpi_charts(figures: dict, history: list[tuple[str, dict]] | None = None) -> list[Chart]:
    """The charts of the dashboard and the Board report, from one set of figures."""
    charts = [
        bar("Concerns by outcome", figures.get("concerns_by_outcome", {})),
        bar("Concerns by who they were about", figures.get("concerns_by_subject", {})),
        bar("Training completion by course", figures.get("training_by_course", {}), percent=True),
        bar("Suppliers by risk band", figures.get("suppliers_by_band", {})),
    ]
    if history:
        labels = [label for label, _ in history]
        charts.append(
            trend_line(
                "Concerns received and resolved by month",
                labels,
                {
                    "Received": [f.get("concerns_received", 0) for _, f in history],
                    "Resolved": [f.get("concerns_resolved", 0) for _, f in history],
                },
            )
        )
    return charts
