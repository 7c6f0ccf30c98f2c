"""What every app's views share: the permission gate, service errors shown on a
form, one paginator with one partial, and a rate counter.

Public names on purpose: views in every app import these instead of private
copies of their own (CONVENTIONS: no module imports another's `_private` names).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from django.http import Http404

PAGE_SIZE = 50


def require(predicate, user, obj=None) -> None:
    """Out of scope answers 404, so that a page's existence does not leak to a role that may not use it."""
    allowed = predicate.test(user) if obj is None else predicate.test(user, obj)
    if not allowed:
        raise Http404


def require_action(predicate, user, obj=None) -> None:
    """For a page the user may see but an action on it that is not theirs: 403, not 404.

    The page's own gate (`require` or the selector's restrict()) has already shown that the
    page exists for this user, so refusing with 403 leaks nothing and tells them why.
    """
    allowed = predicate.test(user) if obj is None else predicate.test(user, obj)
    if not allowed:
        raise PermissionDenied


def found_or_404(obj):
    """A selector answers None for what the user may not see; the view turns that into 404."""
    if obj is None:
        raise Http404
    return obj


def form_add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form, by field where it names one of the form's fields."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def messages_add_service_errors(request, exc: ValidationError) -> None:
    """For actions without a form (a button): each message of the service's refusal as an error banner."""
    for message in exc.messages:
        messages.error(request, message)


class KeysFirstPaginator(Paginator):
    """Reads a page's primary keys first, then only those rows: a cheap way to deep pages.

    `OFFSET 25000` over full rows makes PostgreSQL fetch (and the ORM join) every skipped row;
    over the primary keys alone it walks the sort's index (an index-only scan when the index
    holds the sort columns and the pk), and the 50 rows are then read by primary key. One more
    query, the same number at every page.
    """

    # Pages before this offset are read the plain way (one query): only deep pages pay the extra one.
    keys_first_from = 0

    def page(self, number):
        number = self.validate_number(number)
        queryset = self.object_list
        plain = (
            not isinstance(queryset, QuerySet)
            or queryset.query.distinct
            or queryset.query.combinator
            or queryset._iterable_class is not ModelIterable  # noqa: SLF001 - values() rows have no pk to read back
            or (number - 1) * self.per_page < self.keys_first_from
        )
        if plain:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = self._keys(bottom, top)
        rows = {row.pk: row for row in self.object_list.order_by().filter(pk__in=keys)}
        return self._get_page([rows[key] for key in keys if key in rows], number, self)

    def _keys(self, bottom: int, top: int) -> list:
        """The primary keys of rows ``bottom`` to ``top``; from the far end when that is nearer.

        PostgreSQL walks every skipped row, so page 3,600 of 3,673 read 183,600 keys to keep 50.
        Read backwards (the order reversed) it skips 3,600 and the last page is as cheap as the
        first. Only for an order that ends with the primary key: then the reversed order is the
        exact mirror (ties broken the same way; NULLS LAST ascending is NULLS FIRST descending).
        """
        keys = self.object_list.values_list("pk", flat=True)
        if bottom > self.count - top and self._ends_with_pk():
            return list(keys.reverse()[self.count - top : self.count - bottom])[::-1]
        return list(keys[bottom:top])

    def _ends_with_pk(self) -> bool:
        query = self.object_list.query
        order = query.order_by or (self.object_list.model._meta.ordering if query.default_ordering else ())
        pk_names = {"pk", self.object_list.model._meta.pk.attname, self.object_list.model._meta.pk.name}
        return bool(order) and isinstance(order[-1], str) and order[-1].lstrip("-") in pk_names


class DeepKeysFirstPaginator(KeysFirstPaginator):
    """KeysFirstPaginator from the sixth page on: the API's page numbers (compliance/pagination.py)."""

    keys_first_from = 5 * PAGE_SIZE


def paginate(
    request,
    items: Iterable,
    *,
    per_page: int = PAGE_SIZE,
    keys_first: bool = False,
    deep_keys_first: bool = False,
    count: int | None = None,
) -> Page:
    """The page the request asks for (`?page=`); a bad or too-large number gives the nearest page.

    Render it with `{% include "partials/pagination.html" %}`, which keeps every
    other query parameter (filters, sort) through Django's `{% querystring %}`.
    `keys_first` (a queryset ordered to match an index) makes deep pages cheap: KeysFirstPaginator.
    `deep_keys_first` does so from the sixth page on, so the first pages keep their one query.
    `count`, when the caller already knows how many items there are (a cached figure), saves the COUNT.
    """
    kind = KeysFirstPaginator if keys_first else DeepKeysFirstPaginator if deep_keys_first else Paginator
    paginator = kind(items, per_page)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached_property: this is its value
    return paginator.get_page(request.GET.get("page"))


def rate_hit(key: str, *, window_seconds: int) -> int:
    """Count one event under `key` in a fixed window; returns the count including this one.

    The cache fails open when Redis is down (compliance.cache): then nothing is
    counted and this answers 1, so an outage never locks people out of reporting.
    """
    if cache.add(key, 1, window_seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, window_seconds)
        return 1


def rate_count(key: str) -> int:
    """How many events `key` has counted in its current window (0 when none, or when the cache is down)."""
    return cache.get(key) or 0
