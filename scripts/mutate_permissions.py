#!/usr/bin/env python
"""Mutation check for permission code: remove one check at a time and expect a test to fail.

Each mutant removes a single permission check from a copy of the project and runs the tests
that cover that module (SQLite, no browser or worker tests, stopping at the first failure).
A mutant whose tests all pass "survived": a check nothing tests. The mutants are:

- views and API (`*/*views*.py`, `*/api*.py`, `*/access.py`, packages of the same names):
  `require(...)` deleted; `.restrict(...)` replaced by `.all()`; a guard `if` around a
  permission test removed (a refusal never happens, a grant always does); `return P.test(...)`
  answering True; a DRF permission class dropped from `permission_classes`;
  `has_permission` / `has_object_permission` answering True.
- rules (`*/rules.py`): a `@rules.predicate` answering True; a rule defined as
  `a & b` losing one side; a rule replaced by "always allowed".
- selectors and querysets (`*/selectors*.py`, `*/querysets.py`, `*/models*.py`, `*/filters.py`): the body of
  `restrict()` / `_visible()`: each `.filter()`/`.exclude()` dropped, each guard `if` removed;
  elsewhere in selectors the same guard `if`, `.restrict()` and `return P.test()` mutants.

Usage (from the project root):
    scripts/mutate_permissions.py                   # every mutant, each app's tests
    scripts/mutate_permissions.py --list            # what would be mutated
    scripts/mutate_permissions.py --only training/  # files whose path contains this
    scripts/mutate_permissions.py --sample 20 --seed 1 --budget 170   # a bounded run
    scripts/mutate_permissions.py --tests tests/test_object_permissions.py  # a narrow, faster selection
    scripts/mutate_permissions.py --only suppliers/ --jobs 2 --json var/mutants-suppliers.json

Fast path (the default; --fresh turns it off): the mutants do not change models, so the SQLite
test database is built once with the migrations (their seeded roles, risk tables and first
responders: without them `--nomigrations` fails 14 training tests unmutated), a file in /dev/shm,
and a copy of it is reused by every mutant's pytest (`--reuse-db`); the tests that killed the same file's earlier mutants, then
the same app's, run first (scripts/mutation_order.py: a reorder, nothing deselected, so a survivor
still passed every test); `--jobs 2` runs two mutants at once, each in its own copy of the project.
Every mutant is still a fresh pytest process importing the mutated file.
Exit status: 0 when every mutant run was killed, 1 when any survived (or timed out).
"""

from __future__ import annotations

import argparse
import ast
import collections
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["compliance", "suppliers", "training", "safeguarding", "reporting"]
# Cross-cutting permission tests: run first for every mutant (they kill most mutants fastest).
PERMISSION_TESTS = [
    "tests/test_object_permissions.py",
    "tests/test_permission_matrix.py",
    "tests/test_api_security.py",
]
# Not a permission test, and it fails in the mutants' copies (its gunicorn does not start there):
# it "killed" every mutant it reached first. It runs in the suite, not here.
DESELECT = ["tests/test_api_security.py::test_gunicorn_sends_no_server_banner_refuses_trace_and_logs_no_token"]
PERMISSION_CALLS = {"test", "has_perm", "has_perms"}
REQUIRE_NAMES = {"require", "require_action", "_require"}
SCOPE_FUNCTIONS = re.compile(r"^(restrict|_?visible\w*|\w*_scope)$")
KIND_ORDER = ["require-deleted", "restrict-dropped", "guard-removed", "permission-class-dropped", "answers-true"]
DENY_CALLS = {"none", "HttpResponseForbidden", "Http404", "PermissionDenied", "NotFound"}


@dataclass
class Mutant:
    path: str
    line: int
    kind: str
    original: str
    replacement: str
    start: tuple[int, int]
    end: tuple[int, int]

    @property
    def label(self) -> str:
        first = self.original.strip().splitlines()[0][:90]
        return f"{self.path}:{self.line} [{self.kind}] {first}"


def kind_of(path: str) -> str | None:
    stem = Path(path).stem
    parts = Path(path).parts
    if "tests" in parts or "migrations" in parts or "management" in parts:
        return None
    if stem == "rules":
        return "rules"
    # Page gates (views, case_views, views_admin, api, suppliers/access.py) and view packages.
    if "views" in stem or stem.startswith("api") or stem == "access" or any("views" in p for p in parts[1:-1]):
        return "views"
    if stem.startswith(("selectors", "querysets", "models", "filters")) or any(
        p.startswith(("selectors", "models")) for p in parts[1:-1]
    ):
        return "selectors"
    return None


def target_files(only: str | None) -> list[str]:
    files = []
    for app in APPS:
        for file in sorted((ROOT / app).rglob("*.py")):
            rel = file.relative_to(ROOT).as_posix()
            if kind_of(rel) and (not only or only in rel):
                files.append(rel)
    return files


def has_permission_call(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            if isinstance(func, ast.Attribute) and func.attr in PERMISSION_CALLS:
                return True
            if isinstance(func, ast.Name) and func.id in REQUIRE_NAMES:
                return True
    return False


def is_denial(body: list[ast.stmt]) -> bool:
    """Whether an if-body refuses (raise, or return nothing / a refusal / an empty queryset)."""
    last = body[-1]
    if isinstance(last, ast.Raise):
        return True
    if isinstance(last, ast.Return):
        value = last.value
        if value is None or (isinstance(value, ast.Constant) and value.value in (None, False)):
            return True
        for sub in ast.walk(value):
            if isinstance(sub, ast.Call):
                func = sub.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in DENY_CALLS:
                    return True
                for kw in sub.keywords:
                    if kw.arg == "status" and isinstance(kw.value, ast.Constant) and kw.value.value in (403, 404):
                        return True
    return False


def is_predicate_decorated(fn: ast.FunctionDef) -> bool:
    for deco in fn.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name == "predicate":
            return True
    return False


def body_span(fn: ast.FunctionDef) -> tuple[ast.stmt, ast.stmt] | None:
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # keep the docstring
    if not body:
        return None
    return body[0], body[-1]


class Finder(ast.NodeVisitor):
    def __init__(self, path: str, source: str, kind: str):
        self.path, self.source, self.kind = path, source, kind
        self.lines = source.splitlines(keepends=True)
        self.mutants: list[Mutant] = []
        self.functions: list[str] = []

    # -- helpers -----------------------------------------------------------------
    def _span(self, a: ast.AST, b: ast.AST) -> str:
        start = self._offset(a.lineno, a.col_offset)
        end = self._offset(b.end_lineno, b.end_col_offset)
        return self.source[start:end]

    def _offset(self, line: int, col: int) -> int:
        return sum(len(x) for x in self.lines[: line - 1]) + len(self.lines[line - 1].encode()[:col].decode())

    def add(self, kind: str, first: ast.AST, replacement: str, last: ast.AST | None = None):
        last = last or first
        self.mutants.append(
            Mutant(
                path=self.path,
                line=first.lineno,
                kind=kind,
                original=self._span(first, last),
                replacement=replacement,
                start=(first.lineno, first.col_offset),
                end=(last.end_lineno, last.end_col_offset),
            )
        )

    @property
    def in_scope_function(self) -> bool:
        return bool(self.functions) and bool(SCOPE_FUNCTIONS.match(self.functions[-1]))

    # -- visitors ----------------------------------------------------------------
    def visit_FunctionDef(self, node: ast.FunctionDef):
        span = body_span(node)
        if span and (
            (self.kind == "rules" and is_predicate_decorated(node))
            or node.name in ("has_permission", "has_object_permission")
        ):
            self.add("answers-true", span[0], "return True", span[1])
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Expr(self, node: ast.Expr):
        call = node.value
        if isinstance(call, ast.Call):
            func = call.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in REQUIRE_NAMES:
                self.add("require-deleted", node, "pass")
        self.generic_visit(node)

    def visit_If(self, node: ast.If):
        if has_permission_call(node.test) or (self.in_scope_function and self.kind == "selectors"):
            negated = isinstance(node.test, ast.UnaryOp) and isinstance(node.test.op, ast.Not)
            negated = negated or (
                isinstance(node.test, ast.BoolOp)
                and all(isinstance(v, ast.UnaryOp) and isinstance(v.op, ast.Not) for v in node.test.values)
            )
            if negated or is_denial(node.body):
                self.add("guard-removed", node.test, "False")
            else:
                self.add("grant-unconditional", node.test, "True")
        self.generic_visit(node)

    def visit_Return(self, node: ast.Return):
        value = node.value
        answer = isinstance(value, ast.BoolOp | ast.UnaryOp | ast.Compare) or (
            isinstance(value, ast.Call) and getattr(value.func, "attr", "") in PERMISSION_CALLS
        )
        if answer and has_permission_call(value) and self.kind != "rules":
            # `return P.test(user)` (a permission answer) → always yes.
            self.add("answers-true", node.value, "True")
        self.generic_visit(node)

    def visit_IfExp(self, node: ast.IfExp):
        if has_permission_call(node.test):
            self.add("grant-unconditional", node, "(" + ast.get_source_segment(self.source, node.body) + ")")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute):
            if func.attr == "restrict":
                self.add("restrict-dropped", node, f"{ast.get_source_segment(self.source, func.value)}.all()")
            elif func.attr in ("filter", "exclude") and self.in_scope_function:
                self.add("filter-dropped", node, ast.get_source_segment(self.source, func.value) + ".all()")
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign):
        targets = [t for t in node.targets if isinstance(t, ast.Name)]
        if targets and targets[0].id == "permission_classes" and isinstance(node.value, ast.List | ast.Tuple):
            elts = node.value.elts
            for i, elt in enumerate(elts):
                name = ast.get_source_segment(self.source, elt)
                if "IsAuthenticated" in name:
                    continue
                rest = [ast.get_source_segment(self.source, e) for j, e in enumerate(elts) if j != i]
                self.add("permission-class-dropped", node.value, "[" + ", ".join(rest) + "]")
        elif (
            self.kind == "rules"
            and not self.functions
            and targets
            and isinstance(node.value, ast.BinOp | ast.Name | ast.Attribute)
            and re.match(r"^(can|is)_", targets[0].id)
        ):
            self.add("rule-always-allowed", node.value, "rules.always_allow")
            for sub in ast.walk(node.value):
                if isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.BitAnd):
                    self.add("rule-conjunct-dropped", sub, ast.get_source_segment(self.source, sub.left))
                    self.add("rule-conjunct-dropped", sub, ast.get_source_segment(self.source, sub.right))
        self.generic_visit(node)


def find_mutants(files: list[str]) -> list[Mutant]:
    mutants = []
    for rel in files:
        source = (ROOT / rel).read_text()
        finder = Finder(rel, source, kind_of(rel))
        finder.visit(ast.parse(source))
        seen = set()
        for m in finder.mutants:  # a predicate's body and its one `return` can be the same mutant
            key = (m.start, m.end, m.replacement)
            if key not in seen:
                seen.add(key)
                mutants.append(m)
    return mutants


def apply(source: str, mutant: Mutant) -> str:
    lines = source.splitlines(keepends=True)

    def offset(line, col):
        return sum(len(x) for x in lines[: line - 1]) + len(lines[line - 1].encode()[:col].decode())

    start, end = offset(*mutant.start), offset(*mutant.end)
    replacement = mutant.replacement
    if mutant.kind == "rule-always-allowed" and "import rules" not in source:
        replacement = "__import__('rules').always_allow"
    mutated = source[:start] + replacement + source[end:]
    compile(mutated, mutant.path, "exec")  # a mutant that does not compile is a bug in this script
    return mutated


def tests_for(path: str, override: list[str] | None) -> list[str]:
    if override:
        return override
    # compliance's rules are used by every app: the permission tests above cover every app's routes.
    return PERMISSION_TESTS + [f"{path.split('/')[0]}/tests"]


def copy_project(dest: Path) -> None:
    ignore = shutil.ignore_patterns(".git", ".venv", "node_modules", "var", "__pycache__", "*.sqlite3", ".ruff_cache")
    shutil.copytree(ROOT, dest, ignore=ignore, dirs_exist_ok=True)
    for link in (".venv", "node_modules"):
        if (ROOT / link).exists():
            (dest / link).symlink_to((ROOT / link).resolve())
    # The copy's test settings take the test database's file from the environment (fast path).
    with (dest / "compliance" / "settings_test.py").open("a") as settings:
        settings.write(
            "\n# mutate_permissions.py: a prebuilt SQLite test database, reused (--reuse-db)\n"
            "if os.environ.get('MUTANTS_TEST_DB'):\n"
            "    DATABASES['default']['TEST'] = {'NAME': os.environ['MUTANTS_TEST_DB']}  # noqa: F405\n"
        )


@dataclass
class Worker:
    """One copy of the project and, on the fast path, its own copy of the template database."""

    dir: Path
    db: Path | None = None
    template: Path | None = None

    def env(self, first: list[str] | None = None) -> dict[str, str]:
        env = test_env()
        if self.db:
            shutil.copyfile(self.template, self.db)  # a clean database for every run
            env["MUTANTS_TEST_DB"] = str(self.db)
        if first is not None:
            listing = self.dir / "mutants-first.txt"
            listing.write_text("\n".join(first) + "\n")
            env["MUTANTS_FIRST"] = str(listing)
            env["PYTHONPATH"] = str(self.dir / "scripts")
        return env

    @property
    def fast(self) -> bool:
        return self.db is not None


def build_template(work: Path, template: Path, marker: str) -> None:
    """Build the test database once, the way pytest-django builds it (with the migrations)."""
    probe = work / "mutants_probe"
    probe.mkdir(exist_ok=True)
    (probe / "test_probe.py").write_text(
        "import pytest\n\n\n@pytest.mark.django_db\ndef test_database_is_built():\n    pass\n"
    )
    env = test_env() | {"MUTANTS_TEST_DB": str(template)}
    cmd = pytest_command(["mutants_probe"], marker, [], stop_first=True, migrations=True)
    cmd += ["--create-db", "--reuse-db"]
    proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)
    shutil.rmtree(probe)
    if proc.returncode != 0 or not template.exists():
        sys.exit(f"the template test database was not built:\n{(proc.stdout + proc.stderr)[-2000:]}")


def make_workers(
    tmp: Path, dbdir: Path, jobs: int, fast: bool, marker: str, template: Path | None = None
) -> list[Worker]:
    template = template or dbdir / "template.sqlite3"
    workers = []
    for i in range(jobs):
        work = tmp / f"project{i}"
        copy_project(work)
        workers.append(Worker(work, dbdir / f"test{i}.sqlite3" if fast else None, template if fast else None))
    if fast and not template.exists():
        started = time.monotonic()
        build_template(workers[0].dir, template, marker)
        print(f"template test database built in {time.monotonic() - started:.1f}s", flush=True)
    return workers


# Names too common to point at a test file.
GENERIC_NAMES = {
    "restrict",
    "get_queryset",
    "get_object",
    "has_permission",
    "has_object_permission",
    "dispatch",
    "get",
    "post",
    "list",
    "retrieve",
    "create",
    "update",
    "destroy",
    "perform_create",
    "perform_update",
    "__init__",
    "test",
}


def hinted_test_files(mutant: Mutant, workdir: Path, tests: list[str]) -> list[str]:
    """The selected test files that name the mutated function, class or rule, or its URL."""
    tree = ast.parse((workdir / mutant.path).read_text())
    names = set()
    for node in ast.walk(tree):
        if not (getattr(node, "lineno", 0) <= mutant.line <= (getattr(node, "end_lineno", 0) or 0)):
            continue
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign) and node.col_offset == 0:
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    names = {n for n in names if n not in GENERIC_NAMES and len(n) > 3}
    tokens = set(names)
    for urls in (workdir / mutant.path.split("/")[0]).glob("*urls*.py"):
        for line in urls.read_text().splitlines():
            if any(re.search(rf"\b{re.escape(n)}\b", line) for n in names):
                tokens |= set(re.findall(r"(?:name|basename)=[\"']([^\"']+)[\"']", line))
                # The route itself (tests often request "/api/v1/training/completion-rates/").
                tokens |= {r for r in re.findall(r"(?:path|register)\(\s*r?[\"']([^\"'<]+)", line) if len(r) > 4}
    files = []
    for t in tests:
        target = workdir / t
        files += [target] if target.is_file() else sorted(target.rglob("test_*.py"))
    found = []
    for f in files:
        text = f.read_text()
        hits = sum(text.count(tok) for tok in tokens)
        if hits:
            found.append((-hits, f.relative_to(workdir).as_posix()))
    # Then the test files named for the module (filters.py: test_filters.py), and for querysets and
    # rules the restrict() parity tests (test_restrict.py) and the access tests.
    stem = Path(mutant.path).stem.removeprefix("views_")
    named = [stem] + (["restrict", "access"] if kind_of(mutant.path) in ("selectors", "rules") else [])
    by_name = [
        f.relative_to(workdir).as_posix()
        for word in named
        for f in files
        if f.parent.parent.name == mutant.path.split("/")[0] and word in f.stem
    ]
    ordered = [f for _, f in sorted(found)]
    return ordered + [f for f in dict.fromkeys(by_name) if f not in ordered]


class Killers:
    """The tests that killed earlier mutants: the same file's most recent first, then the app's."""

    def __init__(self):
        self.by_path: dict[str, list[str]] = {}
        self.by_app: dict[str, collections.Counter] = {}
        self.lock = threading.Lock()

    def learn(self, path: str, test_id: str) -> None:
        with self.lock:
            same_file = self.by_path.setdefault(path, [])
            if test_id in same_file:
                same_file.remove(test_id)
            same_file.insert(0, test_id)
            self.by_app.setdefault(path.split("/")[0], collections.Counter())[test_id] += 1

    def first(self, path: str, hints: list[str] = ()) -> list[str]:
        """This file's killers, then the test files that name the mutated code, then the app's killers."""
        with self.lock:
            ordered = list(self.by_path.get(path, [])) + list(hints)
            app = self.by_app.get(path.split("/")[0], collections.Counter())
            return ordered + [t for t, _ in app.most_common() if t not in ordered]


def pytest_command(
    tests: list[str], marker: str, deselect: list[str], stop_first: bool, migrations: bool = False
) -> list[str]:
    # Without the fast path, --nomigrations builds each test database from the models (seconds
    # instead of a minute; the killing tests are re-run unmutated the same way afterwards, so a
    # kill is never an artefact, but the tests that need seeded rows fail and can kill nothing).
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfE"]
    if not migrations:
        cmd.append("--nomigrations")
    if stop_first:
        cmd.append("-x")
    cmd += ["-m", marker, "--no-header", "-o", "addopts=--strict-markers", *tests]
    for node in deselect:
        cmd += ["--deselect", node]
    return cmd


def test_env() -> dict[str, str]:
    # SQLite and in-process tasks: fast, and the same permission code runs as on PostgreSQL.
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CI")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # a restored file must never run from a mutant's .pyc
    return env


def baseline_failures(worker: Worker, tests: list[str], marker: str) -> list[str]:
    """Those of `tests` that fail on the unmutated code."""
    cmd = pytest_command(tests, marker, [], stop_first=False, migrations=worker.fast)
    if worker.fast:
        cmd += fast_args(worker.dir, [t.split("::")[0] for t in tests])
    proc = subprocess.run(cmd, cwd=worker.dir, env=worker.env([]), capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        sys.exit(f"the unmutated tests do not run ({proc.returncode}):\n{(proc.stdout + proc.stderr)[-2000:]}")
    return [killer(line) for line in proc.stdout.splitlines() if line.startswith(("FAILED ", "ERROR "))]


def killer(summary_line: str) -> str:
    """The test id in a pytest summary line `FAILED path::test[param id] - message`."""
    return re.sub(r"^(FAILED|ERROR) ", "", summary_line).split(" - ")[0]


def fast_args(workdir: Path, tests: list[str]) -> list[str]:
    """Reuse the prebuilt database; skip the schemathesis and hypothesis pytest plugins (a third of
    every process's start) unless a selected test uses them."""
    args = ["--reuse-db", "-p", "mutation_order"]
    files = [f for t in tests for f in ([workdir / t] if t.endswith(".py") else (workdir / t).rglob("*.py"))]
    if not any(re.search(r"schemathesis|hypothesis", f.read_text()) for f in files if f.is_file()):
        args += ["-p", "no:schemathesis", "-p", "no:hypothesispytest"]
    return args


def run_tests(
    worker: Worker, tests: list[str], timeout: float, marker: str, deselect: list[str], first: list[str] | None = None
):
    cmd = pytest_command(tests, marker, deselect, stop_first=True, migrations=worker.fast)
    if worker.fast:
        cmd += fast_args(worker.dir, tests)
    env = worker.env(first if worker.fast else None)
    started = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=worker.dir, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - started, ""
    elapsed = time.monotonic() - started
    out = proc.stdout + proc.stderr
    if proc.returncode == 0:
        return "survived", elapsed, ""
    if proc.returncode == 1:
        # The short summary line, not a captured log line ("ERROR    django.request: ...").
        failed = [line for line in out.splitlines() if re.match(r"^(FAILED|ERROR) \S+::", line)]
        return "killed", elapsed, failed[0] if failed else ""
    return f"error({proc.returncode})", elapsed, out[-600:]


def print_summary(results: list[dict], how: str) -> list[dict]:
    killed = [r for r in results if r["outcome"] == "killed"]
    survivors = [r for r in results if r["outcome"] != "killed"]
    print(f"\n{len(results)} mutants run {how}: {len(killed)} killed, {len(survivors)} not killed")
    for r in survivors:
        print(f"  {r['outcome'].upper()} {r['path']}:{r['line']} [{r['kind']}] {r['original'].strip()[:100]}")
    return survivors


def run_in_process(work: Path, mutants: list[Mutant], args) -> list[dict]:
    """Every mutant of one app in one pytest session (scripts/mutation_plugin.py)."""
    results = []
    by_app: dict[str, list[Mutant]] = {}
    for m in mutants:
        by_app.setdefault(m.path.split("/")[0], []).append(m)
    for app, group in by_app.items():
        todo = work / f"mutants-{app}.json"
        done = work / f"results-{app}.json"
        todo.write_text(json.dumps([asdict(m) for m in group]))
        env = test_env() | {
            "MUTANTS_FILE": str(todo),
            "MUTANTS_RESULTS": str(done),
            "PYTHONPATH": str(work / "scripts"),
        }
        cmd = pytest_command(tests_for(group[0].path, args.tests), args.marker, [], stop_first=False)
        cmd += ["-p", "mutation_plugin"]
        print(f"{app}: {len(group)} mutants in one session", flush=True)
        subprocess.run(cmd, cwd=work, env=env, check=False)
        if done.exists():
            results += json.loads(done.read_text())
        ran = {(r["path"], tuple(r["start"]), r["replacement"]) for r in results}
        for m in group:  # a session that died part-way leaves the rest to be confirmed
            if (m.path, m.start, m.replacement) not in ran:
                results.append({**asdict(m), "outcome": "not-run", "seconds": 0, "detail": ""})
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="mutate only files whose path contains this")
    parser.add_argument(
        "--kind", help="mutate only these kinds (comma-separated, e.g. require-deleted,restrict-dropped)"
    )
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--sample", type=int, help="run a random sample of this many mutants")
    parser.add_argument(
        "--sample-per", choices=["app-kind"], help="the sample takes this many from each app and kind (--sample N)"
    )
    parser.add_argument("--seed", type=int, default=None, help="the sample's seed (default: random, printed)")
    parser.add_argument("--budget", type=float, help="stop starting new mutants after this many seconds")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per mutant before it counts as survived")
    parser.add_argument("--tests", nargs="*", help="run these tests for every mutant instead of the app's")
    parser.add_argument("--marker", default="not browser and not worker and not slow", help="pytest -m expression")
    parser.add_argument("--confirm", action="store_true", help="re-run what was not killed in one session, each alone")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="pre-pass: every app's mutants in one pytest session (fast; kills are re-checked, but on "
        "02 Dec 2026 some re-checks failed where a fresh process passed: count only its kills)",
    )
    parser.add_argument("--subprocess-only", action="store_true", help="the default: each mutant in a fresh process")
    parser.add_argument("--no-baseline", action="store_true", help="do not re-run the killing tests unmutated")
    parser.add_argument("--json", help="write the results to this file (rewritten after every mutant)")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at once, each in its own copy")
    parser.add_argument(
        "--fresh", action="store_true", help="no fast path: each mutant builds its own database, tests in file order"
    )
    parser.add_argument("--template-db", help="the built test database to reuse across runs (built there if missing)")
    parser.add_argument("--resume", action="store_true", help="keep the results already in --json, run the rest")
    parser.add_argument("--save-killers", help="write the killers learnt from --learn to this file and stop")
    parser.add_argument("--learn", nargs="*", default=[], help="earlier --json results: their killers run first")
    parser.add_argument(
        "--check-unmutated", action="store_true", help="first run each app's tests unmutated the same way (must pass)"
    )
    args = parser.parse_args()

    mutants = find_mutants(target_files(args.only))
    # Deleted view checks first (the acceptance), then queryset and rule mutants.
    mutants.sort(key=lambda m: KIND_ORDER.index(m.kind) if m.kind in KIND_ORDER else len(KIND_ORDER))
    if args.kind:
        mutants = [m for m in mutants if m.kind in args.kind.split(",")]
    if args.sample and args.sample_per:
        seed = args.seed if args.seed is not None else random.randrange(10**6)
        groups: dict[tuple[str, str], list[Mutant]] = {}
        for m in mutants:
            groups.setdefault((m.path.split("/")[0], m.kind), []).append(m)
        rng = random.Random(seed)
        picked = [m for key in sorted(groups) for m in rng.sample(groups[key], min(args.sample, len(groups[key])))]
        print(f"sample of {len(picked)} from {len(mutants)} mutants ({args.sample} per app and kind), seed {seed}")
        mutants = picked
    elif args.sample and args.sample < len(mutants):
        seed = args.seed if args.seed is not None else random.randrange(10**6)
        print(f"sample of {args.sample} from {len(mutants)} mutants, seed {seed}")
        mutants = random.Random(seed).sample(mutants, args.sample)
    if not args.fresh:
        # Views and API first (the acceptance), then selectors and querysets, then rules; one
        # file's mutants one after another, so the killer of the first is tried first on the next.
        groups = ["views", "selectors", "rules"]
        mutants.sort(
            key=lambda m: (
                groups.index(kind_of(m.path)),
                m.path,
                KIND_ORDER.index(m.kind) if m.kind in KIND_ORDER else len(KIND_ORDER),
            )
        )
    if args.list:
        for m in mutants:
            print(f"{m.label}\n    -> {m.replacement}")
        print(f"{len(mutants)} mutants")
        return 0

    results = []
    if args.resume and args.json and Path(args.json).exists():
        # Keep what an interrupted run decided; run only the mutants it had not reached.
        results = [r for r in json.loads(Path(args.json).read_text()) if r["outcome"] != "timeout"]
        done = {(r["path"], tuple(r["start"]), r["replacement"]) for r in results}
        mutants = [m for m in mutants if (m.path, m.start, m.replacement) not in done]
        print(f"resuming: {len(results)} mutants already run, {len(mutants)} to run")
        for r in results:
            if r["outcome"] == "killed" and r["detail"]:
                args.learn = [*args.learn, args.json]
                break
    started = time.monotonic()
    killers = Killers()
    for earlier in args.learn:
        found = json.loads(Path(earlier).read_text())
        if isinstance(found, dict):  # a killer map (--save-killers): path -> tests, likeliest first
            for path, tests in found.items():
                for test_id in reversed(tests):
                    killers.learn(path, test_id)
            continue
        for r in found:
            if r["outcome"] == "killed" and r["detail"]:
                killers.learn(r["path"], killer(r["detail"]))
    if args.save_killers:
        # Killers learnt from --learn results, kept in the repository so that a bounded run (CI)
        # tries each file's known killer first. A stale entry only costs time: nothing is skipped.
        Path(args.save_killers).write_text(json.dumps(killers.by_path, indent=1, sort_keys=True) + "\n")
        print(f"{sum(map(len, killers.by_path.values()))} killers of {len(killers.by_path)} files saved")
        return 0
    lock = threading.Lock()

    def save():
        if args.json:
            Path(args.json).parent.mkdir(parents=True, exist_ok=True)
            Path(args.json).write_text(json.dumps(results, indent=1))

    shm = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108  tmpfs: the databases never touch the disk
    with (
        tempfile.TemporaryDirectory(prefix="mutants-") as tmp,
        tempfile.TemporaryDirectory(prefix="mutants-db-", dir=shm) as dbdir,
    ):
        template = Path(args.template_db).resolve() if args.template_db else None
        workers = make_workers(Path(tmp), Path(dbdir), max(1, args.jobs), not args.fresh, args.marker, template)
        work = workers[0].dir
        if args.check_unmutated:
            for tests in sorted({tuple(tests_for(m.path, args.tests)) for m in mutants}):
                t0 = time.monotonic()
                broken = baseline_failures(workers[0], list(tests), args.marker)
                print(f"unmutated {' '.join(tests)}: {len(broken)} failing, {time.monotonic() - t0:.1f}s", flush=True)
                if broken:
                    sys.exit("the unmutated tests fail:\n" + "\n".join(broken))
        if args.in_process:
            results = run_in_process(work, mutants, args)
            print_summary(results, "in one pytest session per app")
            mutants = [
                m
                for m in mutants
                if not any(
                    r["outcome"] == "killed"
                    and r["start"] == list(m.start)
                    and r["path"] == m.path
                    and r["replacement"] == m.replacement
                    for r in results
                )
            ]
            results = [r for r in results if r["outcome"] == "killed"]
            if not args.confirm:
                for m in mutants:
                    results.append({**asdict(m), "outcome": "survived", "seconds": 0, "detail": "not confirmed"})
                mutants = []
            elif mutants:
                print(f"\nconfirming {len(mutants)} mutants, each in a fresh pytest process:")
        free = list(workers)
        counter = iter(range(1, len(mutants) + 1))
        skipped = []

        def run_one(mutant: Mutant) -> None:
            if args.budget and time.monotonic() - started > args.budget:
                skipped.append(mutant)
                return
            with lock:
                worker = free.pop()
            try:
                tests = tests_for(mutant.path, args.tests)
                target = worker.dir / mutant.path
                original = target.read_text()
                target.write_text(apply(original, mutant))
                try:
                    first = killers.first(mutant.path, hinted_test_files(mutant, worker.dir, tests))
                    outcome, elapsed, detail = run_tests(worker, tests, args.timeout, args.marker, DESELECT, first)
                    test_id = killer(detail) if outcome == "killed" and detail else ""
                    if test_id and not any(test_id == f or test_id.startswith(f + "::") for f in first):
                        # A killer nothing pointed at: the mutant must fail it again, alone (a test
                        # that fails under load, e.g. one starting gunicorn, is not a kill).
                        again, more, _ = run_tests(worker, [test_id], args.timeout, args.marker, DESELECT, [])
                        elapsed += more
                        if again != "killed":
                            outcome, detail = "unsure", f"{detail} (passed on a re-run with the mutant)"
                finally:
                    target.write_text(original)
            finally:
                with lock:
                    free.append(worker)
            if outcome == "killed" and detail:
                killers.learn(mutant.path, killer(detail))
            with lock:
                results.append({**asdict(mutant), "outcome": outcome, "seconds": round(elapsed, 1), "detail": detail})
                save()
                print(f"[{next(counter)}/{len(mutants)}] {outcome:9} {elapsed:5.1f}s {mutant.label}", flush=True)
                if outcome.startswith("error"):
                    print(detail)

        with ThreadPoolExecutor(max_workers=len(workers)) as pool:
            for future in [pool.submit(run_one, m) for m in mutants]:
                future.result()
        if skipped:
            print(f"budget of {args.budget:.0f}s spent: {len(skipped)} mutants not run")
        # A kill counts only if the test that failed passes on the unmutated code (a test that is
        # broken on main would otherwise "kill" everything). One run of the distinct killers.
        killer_ids = sorted({killer(r["detail"]) for r in results if r["outcome"] == "killed" and r["detail"]})
        if killer_ids and not args.no_baseline:
            broken = baseline_failures(workers[0], killer_ids, args.marker)
            for r in results:
                if r["outcome"] == "killed" and r["detail"] and killer(r["detail"]) in broken:
                    r["outcome"] = "unsure"
                    print(
                        f"unsure: {r['path']}:{r['line']} was failed by {r['detail'].split()[1]}, which fails unmutated"
                    )

    survivors = print_summary(results, "in all")
    save()
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
