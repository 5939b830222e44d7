import html

from django import template
from django.utils.html import strip_tags

register = template.Library()


@register.filter
def plain_text(rendered_html):
    """Rendered curator HTML as the plain text a reader would see, for excerpts and meta
    descriptions; the result is escaped again like any text, so `&amp;` shows as `&`."""
    return html.unescape(strip_tags(rendered_html))
