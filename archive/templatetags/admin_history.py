from django import template

from archive.history import message_of, record_of

register = template.Library()


@register.inclusion_tag("admin/includes/object_record.html", takes_context=True)
def object_record(context, obj):
    """Who added, last edited and last published or unpublished `obj`, and when."""
    return {"record": record_of(obj), "object": obj, "opts": context["opts"]}


register.filter("history_message", message_of)
