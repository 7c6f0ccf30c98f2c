"""pytest plugin used by mutate_permissions.py: run the likely killer of a mutant first.

MUTANTS_FIRST names a file of test ids or test files, one a line (the tests that killed this
file's earlier mutants, the test files that name the mutated view, rule or its URL, the tests that
killed the app's earlier mutants). Those tests move to the front, in that order; every other
collected test keeps its place after them. Nothing is deselected: a mutant that survives still
ran every test it would have run without this plugin, so the order changes how soon a kill is
seen, never whether it is.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    path = os.environ.get("MUTANTS_FIRST")
    if not path or not Path(path).exists():
        return
    rank = {}
    for line in Path(path).read_text().splitlines():
        if line.strip():
            rank.setdefault(line.strip(), len(rank))

    def place(item) -> int | None:
        if item.nodeid in rank:
            return rank[item.nodeid]
        return rank.get(item.nodeid.split("::")[0])

    first = sorted((it for it in items if place(it) is not None), key=place)
    rest = [it for it in items if place(it) is None]
    items[:] = first + rest
