"""`{% pk_url %}` gives the very URL `{% url %}` gives, for every route of the project with one integer key."""

import pytest
from django.template import engines
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

from compliance.templatetags.links import pk_url


def _one_int_routes(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _one_int_routes(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = list(getattr(entry.pattern, "converters", {}).values())
            if len(converters) == 1 and isinstance(converters[0], IntConverter) and not entry.default_args:
                yield f"{namespace}{entry.name}"


ROUTES = sorted(set(_one_int_routes()))


def test_there_are_routes_to_check():
    assert len(ROUTES) > 50


@pytest.mark.parametrize("name", ROUTES)
def test_pk_url_is_reverse(name):
    for pk in (1, 42, 1234567):
        assert pk_url(name, pk) == reverse(name, args=[pk])


def test_the_tag_in_a_template_and_a_route_without_a_key_refused():
    html = engines["django"].from_string('{% load links %}{% pk_url "training:record_detail" 5 %}').render({})
    assert html == reverse("training:record_detail", args=[5])
    with pytest.raises(NoReverseMatch):
        pk_url("training:team", 5)
