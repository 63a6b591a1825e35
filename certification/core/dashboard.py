"""Sections of the personal dashboard, contributed by each app.

The dashboard page belongs to a low app (organisations); the apps above it add their own
sections here, so that imports keep pointing one way. A section is a template and a function
that returns its context for the current request, or None when it has nothing to show.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

SectionContext = Callable[[HttpRequest], dict[str, Any] | None]


@dataclass(frozen=True)
class Section:
    template: str
    context: SectionContext
    order: int


_sections: list[Section] = []


def dashboard_section(
    template: str, *, order: int = 100
) -> Callable[[SectionContext], SectionContext]:
    def register(function: SectionContext) -> SectionContext:
        _sections.append(Section(template, function, order))
        return function

    return register


def sections_for(request: HttpRequest) -> list[dict[str, Any]]:
    shown = []
    for section in sorted(_sections, key=lambda s: s.order):
        context = section.context(request)
        if context is not None:
            shown.append({"template": section.template, "context": context})
    return shown
