"""The register's status and risk badges, as tags: the same markup the included partials gave."""

import pytest
from django.template import Context, Template

# The partials the tags replaced, as they were (less their file's last new line).
STATUS_PARTIAL = '<span class="badge supplier-status supplier-status-{{ status }}">{{ label }}</span>'
RISK_PARTIAL = (
    '{% if band %}<span class="badge risk-{{ band }}">{{ band|capfirst }} risk{% if score is not None %} '
    '<span class="fw-normal">({{ score }})</span>{% endif %}</span>'
    '{% else %}<span class="badge text-bg-light">Not scored</span>{% endif %}'
)


def _render(source: str, **context) -> str:
    return Template("{% load supplier_tags %}" + source).render(Context(context))


@pytest.mark.parametrize(("status", "label"), [("active", "Active"), ("terminated", "<b>Ended</b> & gone")])
def test_status_badge_is_the_partials_markup(status, label):
    ours = _render("{% status_badge status label %}", status=status, label=label)
    assert ours == Template(STATUS_PARTIAL).render(Context({"status": status, "label": label}))
    assert "&lt;b&gt;" in ours or "<b>" not in label


@pytest.mark.parametrize(("band", "score"), [("high", 42), ("low", 0), ("medium", None), ("", None), (None, 7)])
def test_risk_badge_is_the_partials_markup(band, score):
    ours = _render("{% risk_badge band score %}", band=band, score=score)
    assert ours == Template(RISK_PARTIAL).render(Context({"band": band, "score": score}))
