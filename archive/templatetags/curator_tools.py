import json

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def bookmarklet_href(context):
    """A `javascript:` link that opens a new post about the current page, prefilled.

    The curator drags it to the bookmarks bar; clicked on any page it sends that page's address,
    title and selected text to the add form (the admin's own CSP never runs it).
    """
    add_url = context["request"].build_absolute_uri(reverse("admin:archive_post_add"))
    script = (
        "(function(){"
        "var q=new URLSearchParams({url:location.href,title:document.title,"
        "text:String(window.getSelection())});"
        f"window.open({json.dumps(add_url)}+'?'+q.toString());"
        "})();"
    )
    return "javascript:" + script
