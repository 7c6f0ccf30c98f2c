"""Differences between two versions of a statement, section by section (difflib)."""

from __future__ import annotations

import difflib

from reporting.models import Statement

_DIFF_FIELDS = (
    [("title", "Title"), ("introduction", "Introduction")]
    + [(key, heading) for key, heading, _ in Statement.SECTIONS]
    + [("progress", "Progress against last year's plan"), ("next_steps", "Next steps")]
)


def statement_diff(older: Statement, newer: Statement) -> list[dict]:
    """Changed sections only, each as lines marked added/removed/unchanged (words, not only colour)."""
    sections = []
    for field, heading in _DIFF_FIELDS:
        before, after = (getattr(older, field) or "").splitlines(), (getattr(newer, field) or "").splitlines()
        if before == after:
            continue
        lines = []
        for line in difflib.ndiff(before, after):
            tag, text = line[:2], line[2:]
            if tag == "+ ":
                lines.append({"kind": "added", "text": text})
            elif tag == "- ":
                lines.append({"kind": "removed", "text": text})
            elif tag == "  ":
                lines.append({"kind": "same", "text": text})
        sections.append({"field": field, "heading": heading, "lines": lines})
    return sections
