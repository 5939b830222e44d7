"""The real front cache: Varnish from the Debian package, with the shipped configuration
(deploy/varnish/jugan.vcl), in front of Django's live server. A hit never reaches Django; a
publish is visible through it at once; a draft or a preview never enters it; a Django error or
a stopped app is covered by the stale copy; old English links are not answered from the Korean
copy.

Without varnishd the tests skip, saying so; JUGAN_REQUIRE_BROWSER=1 (CI) makes that a failure.
"""

import contextlib
import http.client
import os
import socket
import time
from collections import Counter
from unittest import mock

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import ThreadedWSGIServer
from django.core.signals import request_started
from django.db import connections
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler

from archive.models import Post, Status
from deploy.varnish import VARNISHD, Varnish, available
from digest import caching, purge
from tests.factories import make_post, make_user, make_week

# The app runs in threads and reads committed rows: each test ends with a flush of every table,
# and puts back what data migrations created (the Curators group), as tests/e2e does.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WEEK = "/2021/w05/"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def app_port():
    return free_port()


@pytest.fixture(scope="module")
def varnish(app_port):
    if not available():
        reason = f"Varnish is not installed at {VARNISHD} (Debian: apt-get install varnish)"
        if os.environ.get("JUGAN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}, and JUGAN_REQUIRE_BROWSER=1 says this machine must run it")
        pytest.skip(reason)
    with Varnish(f"127.0.0.1:{free_port()}", f"127.0.0.1:{app_port}", memory="64m") as server:
        yield server


class StoppableServer(ThreadedWSGIServer):
    """Closes the connections it keeps alive when it stops, as a stopped process would."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.open_connections = set()

    def process_request(self, request, client_address):
        self.open_connections.add(request)
        super().process_request(request, client_address)

    def close_connections(self):
        for connection in self.open_connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class ReusableLiveServerThread(LiveServerThread):
    """Django's live server, allowed to listen again on the port it just left (Varnish's
    connections to it linger after it stops)."""

    server_class = StoppableServer

    def _create_server(self, connections_override=None):
        return self.server_class(
            (self.host, self.port),
            QuietWSGIRequestHandler,
            allow_reuse_address=True,
            connections_override=connections_override,
        )


class App:
    """Django's live server on a fixed port, which can be stopped and started again, counting
    the requests that reach it."""

    def __init__(self, port):
        self.port = port
        self.thread = None
        self.requests = Counter()
        # The in-memory test database, shared with the server's threads.
        self.shared = {
            conn.alias: conn
            for conn in connections.all()
            if conn.vendor == "sqlite" and conn.is_in_memory_db()
        }

    def count(self, sender, environ, **kwargs):
        query = environ["QUERY_STRING"]
        self.requests[environ["PATH_INFO"] + (f"?{query}" if query else "")] += 1

    def start(self):
        for conn in self.shared.values():
            conn.inc_thread_sharing()
        self.thread = ReusableLiveServerThread(
            "127.0.0.1", StaticFilesHandler, connections_override=self.shared, port=self.port
        )
        self.thread.daemon = True
        self.thread.start()
        self.thread.is_ready.wait()
        if self.thread.error:
            raise self.thread.error

    def stop(self):
        self.thread.httpd.close_connections()
        self.thread.terminate()
        self.thread = None
        for conn in self.shared.values():
            conn.dec_thread_sharing()


@pytest.fixture
def app(app_port, varnish, settings):
    settings.FRONT_CACHE_PURGE_URLS = [f"{varnish.url}/"]
    purge.purge({"all"})  # nothing from an earlier test (whose database is gone)
    app = App(app_port)
    request_started.connect(app.count)
    app.start()
    yield app
    request_started.disconnect(app.count)
    if app.thread:
        app.stop()


def get(varnish, path, **headers):
    connection = http.client.HTTPConnection(varnish.host, varnish.port, timeout=30)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    return response.status, response.headers, body


@pytest.fixture
def weeks(db):
    earlier = make_week(number=4, published=True)
    make_post("지난 주 글", week=earlier, published=True, topics=["NLP"])
    week = make_week(number=5, published=True)
    make_post("첫 글", week=week, published=True, position=0, topics=["NLP"])
    make_post("초안 글", week=week, position=1, topics=["NLP"])
    return earlier, week


def test_a_hit_is_served_without_reaching_django(app, varnish, weeks):
    for path in [WEEK, f"/en{WEEK}", "/", "/feed/", "/topics/nlp/"]:
        first = get(varnish, path)
        second = get(varnish, path)
        third = get(varnish, path, **{"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.8"})

        assert [r[0] for r in (first, second, third)] == [200, 200, 200], path
        assert [r[1]["X-Cache"] for r in (first, second, third)] == ["MISS", "HIT", "HIT"]
        assert second[2] == first[2]
        assert app.requests[path] == 1, path
        assert "Surrogate-Key" not in second[1]  # for the cache, not for readers


def test_a_browser_revalidating_is_answered_by_the_cache(app, varnish, weeks):
    _status, first, _body = get(varnish, WEEK)

    status, _again, body = get(varnish, WEEK, **{"If-None-Match": first["ETag"]})

    assert (status, body) == (304, "")
    assert app.requests[WEEK] == 1


def test_a_publish_is_visible_through_the_cache_within_two_seconds(app, varnish, weeks):
    earlier, _week = weeks
    watched = [WEEK, f"/en{WEEK}", "/", "/en/", "/feed/", "/en/feed/", "/topics/nlp/"]
    for path in [*watched, earlier.get_absolute_url()]:
        get(varnish, path)
        assert get(varnish, path)[1]["X-Cache"] == "HIT"

    published = time.monotonic()
    Post.objects.filter(title="초안 글").publish()
    pending = set(watched)
    while pending and time.monotonic() - published < 2:
        pending = {path for path in pending if "초안 글" not in get(varnish, path)[2]}

    assert pending == set()
    assert time.monotonic() - published < 2
    # Exactly: the week before shows nothing that changed, and stays cached.
    assert get(varnish, earlier.get_absolute_url())[1]["X-Cache"] == "HIT"


def test_editing_and_unpublishing_reach_readers_through_the_cache(app, varnish, weeks):
    get(varnish, WEEK)
    post = Post.objects.get(title="첫 글")
    post.title = "고친 글"
    post.save()
    assert "고친 글" in get(varnish, WEEK)[2]

    Post.objects.filter(pk=post.pk).unpublish()
    assert "고친 글" not in get(varnish, WEEK)[2]
    assert get(varnish, post.get_absolute_url())[0] == 404


def test_a_draft_never_enters_the_cache(app, varnish, weeks, client):
    draft = Post.objects.get(title="초안 글")
    client.force_login(make_user("editor", staff=True))
    staff = {"Cookie": f"sessionid={client.cookies['sessionid'].value}"}

    preview = get(varnish, WEEK, **staff)
    post_preview = get(varnish, draft.get_absolute_url(), **staff)

    assert "초안 글" in preview[2] and post_preview[0] == 200
    assert "no-store" in preview[1]["Cache-Control"]
    for _attempt in range(2):
        assert "초안 글" not in get(varnish, WEEK)[2]
        assert get(varnish, draft.get_absolute_url())[0] == 404
    # …nor the 404 that readers got for it: publishing shows the post at once.
    Post.objects.filter(pk=draft.pk).publish()
    assert get(varnish, draft.get_absolute_url())[0] == 200


def test_old_english_links_reach_english_and_never_the_korean_copy(app, varnish, weeks):
    """The redirect for an arriving English reader depends on request headers: the cache hands
    such requests to Django (digest/languages.py), which answers privately, and the Korean
    copy of the address keeps serving everyone else."""
    get(varnish, WEEK)

    status, redirect, _body = get(varnish, WEEK, **{"Accept-Language": "en-US,en;q=0.9"})
    cookie = get(varnish, WEEK, Cookie="django_language=en")
    korean = get(varnish, WEEK)
    inside = get(
        varnish,
        WEEK,
        **{
            "Accept-Language": "en",
            "Referer": f"{varnish.url}/en{WEEK}",
            "Host": varnish_host(varnish),
        },
    )

    assert (status, redirect["Location"]) == (302, f"/en{WEEK}")
    assert "no-store" in redirect["Cache-Control"]
    assert (cookie[0], cookie[1]["Location"]) == (302, f"/en{WEEK}")
    assert (korean[0], korean[1]["X-Cache"]) == (200, "HIT")
    assert '<html lang="ko">' in korean[2]
    assert (inside[0], inside[1]["X-Cache"]) == (200, "HIT")


def varnish_host(varnish):
    return f"{varnish.host}:{varnish.port}"


@pytest.fixture
def short_lived(settings):
    """Copies fresh for 1 s, served stale for 1 s more while refreshed, and for an hour when
    Django fails."""
    settings.SHARED_CACHE_SECONDS = 1
    settings.STALE_WHILE_REVALIDATE_SECONDS = 1
    settings.STALE_IF_ERROR_SECONDS = 3600


def test_a_copy_past_its_time_is_fetched_again(app, varnish, weeks, short_lived):
    get(varnish, WEEK)
    time.sleep(2.5)  # past s-maxage and stale-while-revalidate

    status, response, _body = get(varnish, WEEK)

    assert status == 200 and response["X-Cache"] == "MISS"
    assert app.requests[WEEK] == 2


def test_a_django_error_is_covered_by_the_stale_copy(app, varnish, weeks, short_lived):
    first = get(varnish, WEEK)
    time.sleep(2.5)

    with mock.patch.object(caching, "current_state", side_effect=RuntimeError("a bug")):
        stale = get(varnish, WEEK)

    assert app.requests[WEEK] >= 2  # Django was asked, and failed
    assert (stale[0], stale[2]) == (200, first[2])
    assert get(varnish, "/2021/w04/")[0] == 200  # the site works on


def test_a_stopped_app_is_covered_by_the_stale_copy(app, varnish, weeks, short_lived):
    first = get(varnish, WEEK)
    feed = get(varnish, "/feed/")
    time.sleep(2.5)
    app.stop()

    assert get(varnish, WEEK)[:3:2] == (200, first[2])
    assert get(varnish, "/feed/")[:3:2] == (200, feed[2])
    assert get(varnish, "/never/asked/")[0] == 503  # nothing stale to show

    app.start()
    post = Post.objects.get(title="첫 글")
    post.status = Status.DRAFT
    post.save()
    assert "첫 글" not in get(varnish, WEEK)[2]
