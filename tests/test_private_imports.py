"""No module uses another module's `_private` name (CONVENTIONS): what is shared gets a public name.

Reads the source, so it costs no database: `from app.module import _name` and `module._name` on a
module imported from the project both count. A name may be private to its module, never to an app.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = ("compliance", "suppliers", "training", "safeguarding", "reporting", "tests")

# Private names other helpers are making public as this test lands. Each entry is
# "importing file -> module._name". The test fails on any use NOT listed here; delete an entry
# once its import is gone (a stale entry is reported below but does not fail the run).
KNOWN: set[str] = set()


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _project_files():
    for app in FIRST_PARTY:
        for file in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in file.parts:
                yield file


def private_uses(source: str, rel: str) -> set[str]:
    tree = ast.parse(source, filename=rel)
    modules: dict[str, str] = {}  # local name -> project module it is bound to
    uses = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in FIRST_PARTY:
                    modules[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] not in FIRST_PARTY:
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    uses.add(f"{rel} -> {node.module}.{alias.name}")
                elif _is_module(f"{node.module}.{alias.name}"):
                    modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
        ):
            uses.add(f"{rel} -> {modules[node.value.id]}.{node.attr}")
    return uses


def all_private_uses() -> set[str]:
    found = set()
    for file in _project_files():
        found |= private_uses(file.read_text(), file.relative_to(ROOT).as_posix())
    return found


def test_no_module_uses_another_modules_private_name():
    found = all_private_uses()
    new = sorted(found - KNOWN)
    assert not new, "give these a public name where they belong:\n" + "\n".join(new)


def test_stale_entries_are_listed_for_removal(capsys):
    stale = sorted(KNOWN - all_private_uses())
    if stale:
        print("fixed, delete from KNOWN:", *stale, sep="\n  ")


def test_the_check_sees_both_spellings():
    # The check must fail on what it is for: a from-import, a module attribute, an aliased module.
    source = (
        "from compliance.web import _hidden, require\n"
        "from compliance import web\n"
        "import compliance.rules as r\n"
        "web._also_hidden()\n"
        "r._has_role\n"
        "web.require\n"
        "from django.utils.translation import gettext as _\n"
    )
    assert private_uses(source, "x.py") == {
        "x.py -> compliance.web._hidden",
        "x.py -> compliance.web._also_hidden",
        "x.py -> compliance.rules._has_role",
    }
