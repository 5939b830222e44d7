"""Route fuzzing: every URL pattern of the site (the admin included, anonymous and as a
curator), with random and hostile path segments, query strings, form bodies and headers, must
never answer with a server error. The patterns come from the resolver, so new views are fuzzed
as soon as they are routed; example counts are bounded so this runs in seconds."""

from urllib.parse import quote

import pytest
from django.contrib.admin import site
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.factories import make_round_up_week, make_user
from tests.hostile.routes import APP_LABELS, CATCH_ALL, PLACEHOLDER, routes

pytestmark = pytest.mark.django_db

ROUTES = [route for route, _pattern in routes()]

# Strings that have broken URL handling somewhere: invalid UTF-8 and NUL as percent-escapes,
# dot segments, encoded slashes, Korean, emoji, right-to-left marks, huge values.
HOSTILE_SEGMENTS = [
    "%ff", "%c3%28", "%00", "%", "%zz", "..", "%2e%2e", "%2f", "a%2fb", "0", "-1", "00", "99999",
    "9999999999999999999999", "1e3", "%EC%9E%90%EC%97%B0%EC%96%B4%EC%B2%98%EB%A6%AC",
    quote("🤖"), quote("\u202e"), "x" * 3000, "%3Cscript%3E", "'", "\"", ";", "%20", "+",
]  # fmt: skip
# Real values for the placeholders, so fuzzing also reaches past the 404s.
SAMPLE_VALUES = {
    "year": ["2021", "2020", "0000", "9999"],
    "week": ["05", "06", "53", "54", "00"],
    "slug": ["nlp", quote("자연어처리"), quote("한국어-문장-임베딩-모델-공개"), "no-such-thing"],
    "section": ["pages", "weeks", "posts", "topics", "nope"],
    "object_id": ["1", "2", "999999", "abc", "1.5"],
    "content_type_id": ["1", "7", "999999", "x"],
    "id": ["1", "999999", "abc"],
    "url": ["x/", "auth/user/1/", "archive/nope/"],
}
QUERY_KEYS = [
    "q", "page", "topic", "o", "p", "e", "all", "next", "language", "_changelist_filters",
    "status__exact", "week__id__exact", "topics__id__exact", "link_kind", "posted_on__year",
    "posted_on__month", "posted_on__day", "kind__exact", "year", "url", "title", "text",
    "_popup", "_to_field", "term", "app_label", "model_name", "field_name",
]  # fmt: skip
SEGMENT = st.one_of(
    st.sampled_from(HOSTILE_SEGMENTS),
    st.text(min_size=1, max_size=20).map(lambda text: quote(text, safe="")),
)
VALUE = st.one_of(
    st.sampled_from(HOSTILE_SEGMENTS),
    st.text(max_size=30).map(lambda text: quote(text, safe="")),
    st.just("1"),
)
QUERY = st.lists(st.tuples(st.one_of(st.sampled_from(QUERY_KEYS), SEGMENT), VALUE), max_size=6).map(
    lambda pairs: "&".join(f"{key}={value}" for key, value in pairs)
)
HOSTS = ["testserver", "TESTSERVER", "localhost:8000", "127.0.0.1:65535", "evil.example", "[::1]"]
HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "HTTP_HOST": st.sampled_from(HOSTS),
        "HTTP_ACCEPT_LANGUAGE": st.one_of(
            st.sampled_from(["ko", "en-US,en;q=0.9", "*", "zz-ZZ;q=2", ",,;q=", "x" * 500]),
            st.text(alphabet=st.characters(max_codepoint=0x7E, min_codepoint=0x20), max_size=40),
        ),
        "HTTP_IF_NONE_MATCH": st.sampled_from(['"abc"', "*", "W/", '""', 'garbage, *, W/"x"']),
        "HTTP_IF_MODIFIED_SINCE": st.sampled_from(
            ["Wed, 21 Oct 2015 07:28:00 GMT", "yesterday", "0", "Sun, 99 Foo 9999 99:99:99 GMT"]
        ),
        "HTTP_COOKIE": st.sampled_from(
            ["sessionid=garbage", "csrftoken=x; django_language=zz", "django_language=%ff", "=;"]
        ),
        "HTTP_REFERER": st.sampled_from(["https://evil.example/", "not a url", "/%ff"]),
    },
)
FORM_KEYS = [*QUERY_KEYS, "action", "_selected_action", "post", "name", "slug", "summary", "posted_on", "source_url", "topics"]  # fmt: skip
FORM = st.dictionaries(st.one_of(st.sampled_from(FORM_KEYS), SEGMENT), VALUE, max_size=6)


def path_for(route):
    """A path matching the route's shape, its placeholders drawn from real and hostile values."""
    if route.endswith(CATCH_ALL):
        return SEGMENT.map(lambda segment: "/" + route.replace(CATCH_ALL, segment + "/"))
    if labels := APP_LABELS.search(route):
        return st.sampled_from([*labels["labels"].split("|"), "nope"]).map(
            lambda label: f"/admin/{label}/"
        )
    names = [match["name"] for match in PLACEHOLDER.finditer(route)]
    values = st.tuples(
        *[st.one_of(st.sampled_from(SAMPLE_VALUES.get(name, ["1"])), SEGMENT) for name in names]
    )
    return values.map(lambda drawn: "/" + fill(route, drawn))


def fill(route, values):
    values = iter(values)
    return PLACEHOLDER.sub(lambda _match: next(values), route)


@pytest.fixture
def clients(db):
    make_round_up_week()
    anonymous = Client(raise_request_exception=False)
    curator = Client(raise_request_exception=False)
    curator.force_login(make_user("curator", curator=True))
    return {"anonymous": anonymous, "curator": curator}


@hypothesis_settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    route=st.sampled_from(ROUTES),
    data=st.data(),
    query=QUERY,
    headers=HEADERS,
    who=st.sampled_from(["anonymous", "curator"]),
    method=st.sampled_from(["get", "get", "head", "post"]),
    form=FORM,
)
def test_no_request_is_a_server_error(clients, route, data, query, headers, who, method, form):
    path = data.draw(path_for(route))
    client = clients[who]

    if method == "post":
        response = client.post(f"{path}?{query}", form, **headers)
    else:
        response = getattr(client, method)(f"{path}?{query}", **headers)

    assert response.status_code < 500, (method, path, query, headers, who)


# The admin's lists take any field lookup in their query, and its actions any ids: a curator
# (a stolen account) can send what no form offers.
CURATED_ADMINS = [
    model_admin
    for model, model_admin in site._registry.items()
    if model._meta.app_label in {"archive", "digest", "taggit"}
]
LOOKUPS = ["", "__exact", "__in", "__isnull", "__gte", "__icontains", "__year", "__id__exact"]


def lookups(model_admin):
    names = [field.name for field in model_admin.model._meta.get_fields()]
    return st.tuples(st.sampled_from(names), st.sampled_from(LOOKUPS)).map("".join)


@hypothesis_settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(model_admin=st.sampled_from(CURATED_ADMINS), data=st.data())
def test_no_admin_filter_or_action_is_a_server_error(clients, model_admin, data):
    opts = model_admin.model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    filters = data.draw(st.lists(st.tuples(lookups(model_admin), VALUE), max_size=3))
    names = [getattr(action, "__name__", action) for action in model_admin.actions or ()]
    actions = [*names, "delete_selected", "nope"]
    action = {
        "action": data.draw(st.sampled_from(actions)),
        "_selected_action": data.draw(st.lists(st.one_of(st.just("1"), VALUE), max_size=3)),
        "index": "0",
    }
    client = clients["curator"]

    listed = client.get(changelist + "?" + "&".join(f"{key}={value}" for key, value in filters))
    acted = client.post(changelist, action)

    assert listed.status_code < 500, filters
    assert acted.status_code < 500, action


@pytest.mark.parametrize("route", ROUTES)
def test_every_route_takes_every_hostile_segment(clients, route):
    """Each route once with each hostile value in all its placeholders, as a curator (who gets
    furthest into the admin): the sweep the random test above may miss."""
    client = clients["curator"]
    names = PLACEHOLDER.findall(route)
    if not names and not route.endswith(CATCH_ALL) and not APP_LABELS.search(route):
        segments = [""]
    else:
        segments = HOSTILE_SEGMENTS

    for segment in segments:
        if route.endswith(CATCH_ALL):
            path = "/" + route.replace(CATCH_ALL, segment + "/")
        elif APP_LABELS.search(route):
            path = f"/admin/{segment}/"
        else:
            path = "/" + fill(route, [segment] * len(names))
        response = client.get(f"{path}?q={segment}&page={segment}&o={segment}")
        assert response.status_code < 500, (path, response.status_code)


def test_the_fuzzed_routes_include_the_admin_and_every_reader_page():
    assert {"admin/archive/post/<path:object_id>/change/", "feed/", "search/"} <= set(ROUTES)
