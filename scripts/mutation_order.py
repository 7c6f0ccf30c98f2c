"""pytest plugin used by mutate_permissions.py: run the likely killer of a mutant first.

MUTANTS_FIRST names a file of test ids, one a line (the tests that killed this file's and this
app's earlier mutants). Those tests move to the front, in that order; every other collected test
keeps its place after them. Nothing is deselected: a mutant that survives still ran every test
it would have run without this plugin, so the order changes how soon a kill is seen, never
whether it is.
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
        rank.setdefault(line.strip(), len(rank))
    first = sorted((it for it in items if it.nodeid in rank), key=lambda it: rank[it.nodeid])
    rest = [it for it in items if it.nodeid not in rank]
    items[:] = first + rest
