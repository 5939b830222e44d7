import socket
from pathlib import Path

import pytest
from django.conf import settings

from tests import factories, mail_server

SHARED_SAMPLE = Path(settings.BASE_DIR).parent / "shared" / "samples" / "2021-w05-tensorflowkr.md"


@pytest.fixture
def tensorflowkr_sample():
    """The hand-written round-up our users start from; it lives outside the repository."""
    if not SHARED_SAMPLE.exists():
        pytest.skip(f"the shared sample is not at {SHARED_SAMPLE} (CI provides ../shared)")
    return SHARED_SAMPLE


@pytest.fixture
def published_week(db):
    return factories.make_published_week()


@pytest.fixture
def round_up_week(db):
    return factories.make_round_up_week()


@pytest.fixture
def curator(db):
    return factories.make_user("curator", curator=True)


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def staff_client(client, db):
    client.force_login(factories.make_user("staff", staff=True))
    return client


# Reading linked pages (archive/link_metadata.py): only ever from servers the tests start here.

LOOPBACK_ADDRESSES = {"127.0.0.1", "::1"}


@pytest.fixture(scope="session")
def httpserver_listen_address():
    """pytest-httpserver on 127.0.0.1, not on "localhost" (which may resolve to ::1 first)."""
    return ("127.0.0.1", 0)


@pytest.fixture
def no_outside_connections(monkeypatch):
    """Fails the test if its code tries to connect beyond loopback, and refuses the connection,
    so a broken address check can never send a packet to another network."""
    attempts = []
    connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if host not in LOOPBACK_ADDRESSES:
            attempts.append(host)
            raise OSError(f"test guard: no connection to {host}")
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield attempts
    assert attempts == [], f"the code under test tried to connect to {attempts}"


@pytest.fixture
def page_server(httpserver, no_outside_connections, settings):
    """A web server on loopback whose pages the site reads: page reading on, and loopback
    allowed on this server's port only."""
    settings.LINK_METADATA_FETCH = True
    settings.LINK_FETCH_LOOPBACK_PORTS = frozenset({httpserver.port})
    return httpserver


# Mail: a real SMTP server on loopback (tests/mail_server.py).


@pytest.fixture
def smtp_server(settings):
    """The site's mail goes to a real SMTP server on loopback; yields its Recorder."""
    recorder = mail_server.Recorder()
    controller = mail_server.start(recorder)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    recorder.port = controller.port
    yield recorder
    controller.stop()


@pytest.fixture(autouse=True)
def _no_recent_pages_from_other_tests():
    """Each process keeps the pages it answered last (digest/recent_pages.py): not from one
    test to the next, whose databases may be in the same state."""
    from digest.recent_pages import recent_pages

    recent_pages.clear()
