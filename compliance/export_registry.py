"""Every list offered as CSV/XLSX, by name, so the same list can be built in a request or in a worker.

Each app registers its exports from its AppConfig.ready() (the core never imports
the apps above it). A registered function takes the person asking and the page's
query string and returns an `Export`: it checks the person's right first (raising
Http404 or PermissionDenied as the page does), then builds the restricted,
filtered rows lazily. A background export (compliance/export_jobs.py) calls it
again in the worker and at download time, so a person who lost the right since
asking gets nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.http import Http404, QueryDict


@dataclass(frozen=True)
class Export:
    """One export's content: `rows` are read only when the file is written."""

    filename: str  # without the extension: the format adds it
    header: Sequence
    rows: Iterable[Iterable]
    detail: str  # what the access log says was taken
    sheet_title: str = "Export"
    # How many rows the file will hold, asked only when a large XLSX may go to a worker;
    # None for a summary that is small whatever the data (KPI figures, completion rates).
    count: Callable[[], int] | None = None


@dataclass(frozen=True)
class ExportRequest:
    """What a FilterSet reads from a request (the user), for building an export outside one."""

    user: object


Builder = Callable[..., Export]
_EXPORTS: dict[str, Builder] = {}


def register(name: str) -> Callable[[Builder], Builder]:
    """Register `builder(*, user, params) -> Export` under `name` (a decorator)."""

    def decorate(builder: Builder) -> Builder:
        if _EXPORTS.get(name, builder) is not builder:
            raise ValueError(f"Two exports are registered as {name!r}")
        _EXPORTS[name] = builder
        return builder

    return decorate


def export_names() -> list[str]:
    return sorted(_EXPORTS)


def export_build(name: str, *, user, params: QueryDict | str) -> Export:
    """The export `name` as `user` sees it, filtered by `params`; Http404/PermissionDenied when not theirs."""
    builder = _EXPORTS.get(name)
    if builder is None:
        raise Http404(f"No export is registered as {name!r}")
    if user is None or not user.is_active:
        # A person who has left keeps no export, even one asked for before they left.
        raise Http404
    if isinstance(params, str):
        params = QueryDict(params)
    return builder(user=user, params=params)
