"""No state or kind is spelled as a string outside its model (issue 15: enums for every state and event kind).

A renamed or split state then shows up as an AttributeError or a failing test instead of a
comparison that is silently never true. Models keep their literals where a migration or a
database constraint needs them; everything else compares with `Model.Status.X`, templates with
`obj.status == obj.Status.X`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("compliance", "suppliers", "training", "safeguarding", "reporting")
FIELDS = re.compile(
    r"^(status|stage|state|kind|outcome|band|risk_band|decision|result|risk_level|channel|subject_type)(__in)?$"
)
TEMPLATE_LITERAL = re.compile(
    r"\.(status|stage|kind|outcome|result|risk_band|band|risk_level)\s*[!=]=\s*[\"'][a-z_]+[\"']"
)
# Not model states: a diff line's kind in the statement comparison page is computed, not stored.
TEMPLATE_ALLOWED = {"reporting/templates/reporting/statement_diff.html"}


def _code_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts or path.stem == "models" or "models" in parts[1:-1]:
                continue
            yield rel, path


def _literals(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            fields = [n.attr for n in sides if isinstance(n, ast.Attribute) and FIELDS.match(n.attr)]
            strings = [n.value for n in sides if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value]
            if fields and strings:
                yield node.lineno, f"{fields[0]} compared with {strings[0]!r}"
        elif isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg and FIELDS.match(kw.arg):
                    values = kw.value.elts if isinstance(kw.value, ast.List | ast.Tuple | ast.Set) else [kw.value]
                    for value in values:
                        if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value:
                            yield node.lineno, f"{kw.arg}={value.value!r}"


def test_code_names_states_through_their_enum():
    found = [
        f"{rel}:{line}: {what}" for rel, path in _code_files() for line, what in _literals(ast.parse(path.read_text()))
    ]
    assert not found, "use the model's TextChoices instead of a string:\n" + "\n".join(found)


def test_templates_compare_states_through_their_enum():
    found = []
    for path in sorted([*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")]):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(("node_modules", ".venv")) or rel in TEMPLATE_ALLOWED:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if TEMPLATE_LITERAL.search(line):
                found.append(f"{rel}:{number}: {line.strip()[:100]}")
    assert not found, "compare with obj.Status.X (Django's Choices are not called in templates):\n" + "\n".join(found)


def test_the_check_sees_a_literal():
    # The check itself must fail on the shape it forbids.
    assert list(_literals(ast.parse('x.filter(status="open")\nif c.stage == "triage": pass')))
    assert TEMPLATE_LITERAL.search('{% if job.status == "failed" %}')
