import json

from django import template
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from archive.models import Status, Week
from archive.weeks import IsoWeek

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


@register.simple_tag
def weeks_in_progress(limit=5):
    """The weeks a curator works on, for the admin's home page: this week's, and the drafts,
    the newest first."""
    this_week = IsoWeek.of(timezone.localdate())
    in_progress = Q(status=Status.DRAFT) | Q(year=this_week.year, number=this_week.number)
    return list(Week.objects.filter(in_progress).with_post_count().newest_first()[:limit])
