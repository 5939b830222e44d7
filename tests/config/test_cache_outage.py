"""A cache outage is not a site outage: with Redis down, slow or restarted, every reader page
and feed renders from the database, the outage is logged once, and the cache is used again as
soon as it is back (config/cache.py). Against a closed port, a port that never answers, and a
real redis-server this test starts, stops and starts again."""

import logging
import os
import shutil
import socket
import subprocess
import time
import uuid

import pytest
from django.core.cache import caches

from config import cache as resilient
from tests.factories import make_published_week

pytestmark = pytest.mark.django_db

READER_URLS = [
    "/",
    "/en/",
    "/2021/w05/",
    "/2021/w05.md",
    "/weeks/",
    "/topics/",
    "/topics/nlp/",
    "/search/?q=%EB%AA%A8%EB%8D%B8",
    "/feed/",
    "/feed/atom/",
    "/feed.json",
    "/feed/posts/",
    "/topics/nlp/feed/",
    "/feeds/",
    "/feeds.opml",
    "/sitemap.xml",
]
TIMEOUT = 0.25


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def use_redis(settings, port):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": f"jugan-test-{uuid.uuid4().hex}",
            "OPTIONS": {"socket_connect_timeout": TIMEOUT, "socket_timeout": TIMEOUT},
        }
    }
    return caches["default"]


@pytest.fixture
def week(db):
    return make_published_week(posts=3)


def read_everything(client):
    for url in READER_URLS:
        response = client.get(url)
        assert response.status_code == 200, url


def outage_messages(caplog):
    return [
        (record.levelname, record.getMessage())
        for record in caplog.records
        if record.name == "config.cache" and record.levelno >= logging.WARNING
    ]


def test_a_closed_port_renders_every_page_from_the_database(client, week, settings, caplog):
    use_redis(settings, free_port())

    with caplog.at_level(logging.DEBUG, logger="config.cache"):
        read_everything(client)
        read_everything(client)

    [(level, message)] = outage_messages(caplog)
    assert level == "ERROR"
    assert "is unreachable" in message and "rendered from the database" in message


def test_a_redis_that_never_answers_costs_one_timeout_a_second(client, week, settings, caplog):
    """A slow Redis: it accepts connections and says nothing."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    try:
        use_redis(settings, silent.getsockname()[1])
        started = time.monotonic()
        with caplog.at_level(logging.DEBUG, logger="config.cache"):
            read_everything(client)
        elapsed = time.monotonic() - started
    finally:
        silent.close()

    assert len(outage_messages(caplog)) == 1
    # One wait for the first call; the rest skip Redis while it rests (the machine is shared,
    # so the bound is loose, but far below a wait per request).
    assert elapsed < len(READER_URLS) * TIMEOUT


@pytest.fixture
def redis_server(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        reason = "redis-server is not installed (Debian: apt-get install redis-server)"
        if os.environ.get("JUGAN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}, and JUGAN_REQUIRE_BROWSER=1 says this machine must run it")
        pytest.skip(reason)
    port = free_port()

    class Server:
        process = None

        def start(self):
            self.process = subprocess.Popen(
                [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            for _attempt in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                    return
                except OSError:
                    time.sleep(0.05)
            raise RuntimeError("redis-server did not start")

        def stop(self):
            self.process.terminate()
            self.process.wait(timeout=10)

    server = Server()
    server.port = port
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


def test_a_redis_restart_is_survived_and_the_cache_used_again(
    client, week, settings, caplog, redis_server, monkeypatch
):
    monkeypatch.setattr(resilient, "RETRY_SECONDS", 0.2)
    cache = use_redis(settings, redis_server.port)
    # Every request asks Redis: none is answered from the pages this process kept itself
    # (digest/recent_pages.py), which would spare Redis the requests the test is about.
    settings.RECENT_PAGES_BYTES = 0
    with caplog.at_level(logging.DEBUG, logger="config.cache"):
        read_everything(client)
        assert cache.get_many([]) == {}
        stored = len(cache._cache.get_client().keys("*"))
        assert stored >= len(READER_URLS)  # every page and feed is in Redis

        redis_server.stop()
        read_everything(client)
        read_everything(client)
        assert [level for level, _message in outage_messages(caplog)] == ["ERROR"]

        redis_server.start()  # empty: nothing was saved
        time.sleep(0.3)
        read_everything(client)

    assert [level for level, _message in outage_messages(caplog)] == ["ERROR", "WARNING"]
    assert outage_messages(caplog)[-1][1].endswith("is back")
    assert len(cache._cache.get_client().keys("*")) >= len(READER_URLS)
