from django import template
from django.utils.safestring import SafeString

from certification.core.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """Markdown written by people, as sanitised HTML."""
    return render_markdown(text or "")
