"""`{% load pagination %}`: the links between the pages of a list, for `core/_pagination.html`.

A page whose list is numbered by another query parameter than `page` (two lists on one page,
as on an organisation's billing page) says so in its `parameter` attribute.
"""

from typing import Any

from django import template
from django.core.paginator import Page
from django.template.context import RequestContext
from django.template.defaulttags import querystring

register = template.Library()


@register.simple_tag(takes_context=True)
def page_querystring(context: RequestContext, page: Page[Any], number: int) -> str:
    """The current query string with `page`'s parameter set to `number`: the filters stay."""
    query = context.request.GET.copy()
    query[getattr(page, "parameter", "page")] = str(number)
    return querystring(context, query)
