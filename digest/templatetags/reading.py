import json
from urllib.parse import urlencode

from django import template
from django.utils.encoding import uri_to_iri
from django.utils.html import _json_script_escapes, escape, format_html
from django.utils.safestring import mark_safe

from archive import reading
from digest import fragments

register = template.Library()


@register.filter
def plain_text(rendered_html):
    """Rendered curator HTML as the plain text a reader would see, for excerpts and meta
    descriptions, on one line; the result is escaped again like any text, so `&amp;` shows
    as `&`."""
    return reading.plain_text(rendered_html)


@register.simple_tag(takes_context=True)
def address_query(context):
    """The query string that belongs to this page's address, for its canonical, alternate and
    share links: the view's own `address_params` (a search's words) and the page beyond the
    first."""
    params = dict(context.get("address_params") or {})
    page = context.get("page_obj")
    if page is not None and page.number > 1:
        params["page"] = page.number
    return f"?{urlencode(params)}" if params else ""


@register.filter
def json_ld(data):
    """Structured data (digest/structured_data.py) as a JSON-LD script element. Escaped as
    Django's json_script escapes, so no text in it can close the element."""
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(json.dumps(data, ensure_ascii=False).translate(_json_script_escapes)),
    )


@register.filter
def readable_address(url):
    """An address as a reader reads it: Korean slugs as Korean rather than percent-encoded, and
    a long one wrapping after a slash rather than inside a word. For display only; the link
    keeps the address as it is."""
    return mark_safe("/<wbr>".join(escape(part) for part in uri_to_iri(url).split("/")))


@register.filter
def numbered(page_html, number):
    """A post's stored page fragment (digest/fragments.py) with its number in the week."""
    return mark_safe(fragments.numbered(page_html, number))
