"""`{% load weblinks %}`: the link rule of `core.weblinks`, for templates.

`{% if url|is_web_link %}<a href="{{ url }}">…{% endif %}` makes a link only of an http(s)
address; stored text that predates the rule is shown as text.
"""

from django import template

from certification.core.weblinks import is_web_link as _is_web_link

register = template.Library()


@register.filter
def is_web_link(value: object) -> bool:
    return isinstance(value, str) and _is_web_link(value)
