"""The API's one pager: page numbers with a count, or a keyset cursor, at the client's choice.

- `?page=N` (and no parameter at all): as before, `count`, `next`, `previous`, `results`. Deep
  pages read their keys first (compliance.web.DeepKeysFirstPaginator), so `?page=2000` walks an
  index of keys rather than 100,000 full rows.
- `?cursor=` (empty to start, then follow `next`): keyset pagination (DRF's CursorPagination) in
  the list's own order: each page starts where the last one ended, so page 2,000 costs what page
  1 does, rows added meanwhile are neither skipped nor repeated, and no COUNT is run (`count` is
  left out). An order a cursor cannot follow (an expression, or a first column that may be null,
  such as the case list's `sort=due` or `sort=risk`) answers 400: use page numbers for it.

A view that knows how many rows its filtered list has without a COUNT (a cached figure) says so
with a `paginated_count(queryset)` method; page numbers then use it instead of counting.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

from compliance.web import PAGE_SIZE, DeepKeysFirstPaginator


class ListCursorPagination(CursorPagination):
    """A cursor over the queryset's own order (its order_by, else the model's default ordering)."""

    page_size = PAGE_SIZE

    def get_ordering(self, request, queryset, view):
        if not isinstance(queryset, QuerySet):  # a list built in Python (e.g. countries) has no keys to seek
            raise ValidationError({"cursor": ["This list cannot be read by cursor: use page."]})
        ordering = tuple(queryset.query.order_by) or tuple(queryset.model._meta.ordering)
        if not ordering or not all(isinstance(name, str) for name in ordering):
            raise ValidationError({"cursor": ["This list cannot be read by cursor in this order: use page."]})
        first = ordering[0].lstrip("-")
        try:
            nullable = first != "pk" and queryset.model._meta.get_field(first).null
        except FieldDoesNotExist:
            nullable = True
        if nullable or "__" in first:
            raise ValidationError({"cursor": ["This list cannot be read by cursor in this order: use page."]})
        return ordering

    def paginate_queryset(self, queryset, request, view=None):
        # An empty ?cursor= asks for the first page in cursor mode.
        if request.query_params.get(self.cursor_query_param) == "":
            request = _without_empty_cursor(request, self.cursor_query_param)
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, TypeError) as exc:
            # A hand-made cursor whose position is not a value of the column.
            raise NotFound("Invalid cursor") from exc


def _without_empty_cursor(request, name):
    class _Request:
        def __init__(self, wrapped):
            self._wrapped = wrapped
            self.query_params = wrapped.query_params.copy()
            self.query_params.pop(name, None)

        def build_absolute_uri(self, *args, **kwargs):
            return self._wrapped.build_absolute_uri(*args, **kwargs)

        def __getattr__(self, attr):
            return getattr(self._wrapped, attr)

    return _Request(request)


class PageOrCursorPagination(PageNumberPagination):
    """Page numbers (with a count) unless the request asks for a cursor; see the module docstring."""

    page_size = PAGE_SIZE
    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.cursor = None
        if self.cursor_query_param in request.query_params:
            self.cursor = ListCursorPagination()
            return self.cursor.paginate_queryset(queryset, request, view)
        self.known_count = getattr(view, "paginated_count", None)
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, queryset, per_page):
        # DRF builds its paginator as self.django_paginator_class(queryset, page_size): this is
        # the place to hand it a count the view already knows (a COUNT over 200,000 training
        # records was most of that list's time).
        paginator = DeepKeysFirstPaginator(queryset, per_page)
        if self.known_count is not None:
            paginator.count = self.known_count(queryset)  # Paginator.count is a cached_property
        return paginator

    def get_paginated_response(self, data):
        if self.cursor is not None:
            return self.cursor.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["results"]
        response["properties"]["count"]["description"] = "Total rows; with page numbers only (not with cursor)."
        return response

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Keyset pagination: empty for the first page, then follow `next` (no count).",
                "schema": {"type": "string"},
            },
        ]
