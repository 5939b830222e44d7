"""Every URL pattern of the site, read from the resolver, so that new views are covered as
soon as they are routed."""

import re

from django.contrib.admin import site
from django.contrib.contenttypes.models import ContentType
from django.urls import URLResolver, get_resolver

from archive.models import Post

PLACEHOLDER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
# The admin's only regex routes: the app index and the catch-all.
APP_LABELS = re.compile(r"\^\(\?P<app_label>(?P<labels>[\w|]+)\)/\$$")
CATCH_ALL = "(?P<url>.*)$"


def routes(patterns=None, prefix=""):
    """(route, pattern) for every endpoint; nested routes are joined, e.g.
    "admin/archive/post/<path:object_id>/change/"."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def admin_urls():
    """One concrete URL per admin route, naming existing objects: every model admin needs at
    least one row of its model."""
    registered = {
        (model._meta.app_label, model._meta.model_name): model for model in site._registry
    }
    urls = []
    for route, _pattern in routes():
        if not route.startswith("admin/"):
            continue
        if route.endswith(CATCH_ALL):
            urls.append("/" + route.replace(CATCH_ALL, "no/such/page/"))
            continue
        if labels := APP_LABELS.search(route):
            urls += [f"/admin/{label}/" for label in labels["labels"].split("|")]
            continue
        model = registered.get(tuple(route.split("/")[1:3]))
        urls.append("/" + fill(route, model))
    return urls


def fill(route, model):
    return PLACEHOLDER.sub(lambda match: value_for(match["name"], model), route)


def value_for(name, model):
    if name == "content_type_id":
        return str(ContentType.objects.get_for_model(Post).pk)
    if name == "object_id" and model is None:  # the view-on-site shortcut
        return str(Post.objects.first().pk)
    if name in {"object_id", "id", "pk"}:
        return str(model._default_manager.first().pk)
    raise ValueError(f"no value for <{name}> in an admin route")
