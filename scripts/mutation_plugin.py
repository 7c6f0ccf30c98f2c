"""pytest plugin used by mutate_permissions.py: many mutants in one pytest session.

Starting pytest and building the test database costs most of a mutant's run, so the session is
set up once and each mutant is applied in memory: the mutated file is written, that module and
the project modules that import it (views, API, selectors, rules, forms, URLconfs) are reloaded,
the URL caches are cleared, and the collected tests run until the first failure. The original
file is then restored the same way, and the failing test is re-run on the restored code: a kill
counts only if that test passes without the mutant.

What cannot be reloaded (models, services) is left for a fresh process (the script's --confirm),
and so is any mutant that survives here: a test module holding a function imported before the
mutation (`from app.selectors import f`) would not see the mutant, so a survivor here is only a
candidate until the confirm run.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import re
import sys
import time
from pathlib import Path

import pytest
from _pytest.runner import runtestprotocol

PROJECT = ("compliance", "suppliers", "training", "safeguarding", "reporting")
RELOADABLE = re.compile(
    r"^(compliance|suppliers|training|safeguarding|reporting)(\.\w+)*"
    r"\.(\w*views\w*|api\w*|access|selectors\w*|rules|urls|\w*_urls|forms\w*|filters\w*|navigation)$"
)


def _imports_of(name: str) -> set[str]:
    module = sys.modules.get(name)
    file = getattr(module, "__file__", None)
    if not file:
        return set()
    found = set()
    for node in ast.walk(ast.parse(Path(file).read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return {n for n in found if n in sys.modules and n.split(".")[0] in PROJECT}


def reload_chain(module_name: str) -> list[str]:
    """The module and every reloadable module that imports it (transitively), dependencies first."""
    candidates = [n for n in list(sys.modules) if RELOADABLE.match(n)]
    imports = {n: _imports_of(n) for n in candidates}
    chain, frontier = {module_name}, [module_name]
    while frontier:
        current = frontier.pop()
        for name, deps in imports.items():
            if current in deps and name not in chain:
                chain.add(name)
                frontier.append(name)
    ordered, seen = [], set()

    def visit(name):
        if name in seen:
            return
        seen.add(name)
        for dep in imports.get(name, ()):
            if dep in chain:
                visit(dep)
        ordered.append(name)

    for name in sorted(chain):
        visit(name)
    # URLconfs last (they hold the view functions), the project's root URLconf after the apps'.
    urls = [n for n in candidates if n.endswith(("urls", "api_urls")) and n not in chain]
    return ordered + sorted(urls, key=lambda n: n == "compliance.urls")


def reload_all(names: list[str]) -> None:
    from django.urls import clear_url_caches

    for name in names:
        importlib.reload(sys.modules[name])
    clear_url_caches()


def module_name(path: str) -> str:
    return path[: -len(".py")].replace("/", ".").removesuffix(".__init__")


def apply(source: str, mutant: dict) -> str:
    sys.path.insert(0, str(Path(__file__).parent))
    from mutate_permissions import Mutant
    from mutate_permissions import apply as apply_mutant

    fields = {k: mutant[k] for k in ("path", "line", "kind", "original", "replacement")}
    return apply_mutant(source, Mutant(**fields, start=tuple(mutant["start"]), end=tuple(mutant["end"])))


def run_until_failure(items, all_items) -> str | None:
    for item in items:
        # `nextitem` decides what is torn down after the test: another item keeps the session's
        # fixtures (the test database) and tears down this test's own.
        keep = all_items[0] if item is not all_items[0] else all_items[-1]
        reports = runtestprotocol(item, nextitem=keep if keep is not item else None, log=False)
        if any(r.failed for r in reports):
            if os.environ.get("MUTANTS_DEBUG"):
                sys.__stderr__.write(str([r.longrepr for r in reports if r.failed][0])[-3000:] + "\n")
            return item.nodeid
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session):
    import rules

    # A rules module re-run registers its permissions again: replace instead of refusing.
    rules.add_perm = rules.set_perm
    rules.add_rule = rules.set_rule
    from django.urls import get_resolver

    _ = get_resolver().url_patterns  # import every view and API module before the first mutant
    mutants = json.loads(Path(os.environ["MUTANTS_FILE"]).read_text())
    results = []
    items = session.items
    for i, mutant in enumerate(mutants, 1):
        name = module_name(mutant["path"])
        started = time.monotonic()
        if RELOADABLE.match(name) and name not in sys.modules:
            importlib.import_module(name)
        if not RELOADABLE.match(name):
            results.append({**mutant, "outcome": "not-reloadable", "seconds": 0, "detail": ""})
            continue
        prefix = tuple(os.environ.get("MUTANTS_TESTS", "").split())
        selected = [it for it in items if not prefix or it.nodeid.startswith(prefix)]
        file = Path(mutant["path"])
        original = file.read_text()
        chain = reload_chain(name)
        outcome, detail = "survived", ""
        try:
            if not os.environ.get("MUTANTS_IDENTITY"):
                file.write_text(apply(original, mutant))
            if not os.environ.get("MUTANTS_NORELOAD"):
                reload_all(chain)
            killer = run_until_failure(selected, items)
        except Exception as exc:  # the mutant broke an import: that is not a test killing it
            killer, outcome, detail = None, "error", repr(exc)[:300]
        finally:
            file.write_text(original)
            reload_all(chain)
        if killer:
            item = next(it for it in selected if it.nodeid == killer)
            if run_until_failure([item], items):
                outcome, detail = "unsure", f"{killer} fails unmutated too"
            else:
                outcome, detail = "killed", killer
        elapsed = time.monotonic() - started
        results.append({**mutant, "outcome": outcome, "seconds": round(elapsed, 1), "detail": detail})
        sys.__stdout__.write(
            f"[{i}/{len(mutants)}] {outcome:9} {elapsed:5.1f}s {mutant['path']}:{mutant['line']} [{mutant['kind']}]\n"
        )
        sys.__stdout__.flush()
        Path(os.environ["MUTANTS_RESULTS"]).write_text(json.dumps(results, indent=1))
    session._setupstate.teardown_exact(None)  # the session's fixtures, as pytest would at the end
    Path(os.environ["MUTANTS_RESULTS"]).write_text(json.dumps(results, indent=1))
    return True
