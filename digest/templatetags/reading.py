import html

from django import template
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from digest import fragments

register = template.Library()


@register.filter
def plain_text(rendered_html):
    """Rendered curator HTML as the plain text a reader would see, for excerpts and meta
    descriptions; the result is escaped again like any text, so `&amp;` shows as `&`."""
    return html.unescape(strip_tags(rendered_html))


@register.filter
def numbered(page_html, number):
    """A post's stored page fragment (digest/fragments.py) with its number in the week."""
    return mark_safe(fragments.numbered(page_html, number))
