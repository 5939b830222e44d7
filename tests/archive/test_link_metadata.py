"""Reading a linked page (archive/link_metadata.py) against servers on loopback.

Every test here runs with a guard on the socket layer: a connection to anything but loopback
fails the test, so a broken address check can never send a packet to another network. The
address checks are tested with loopback NOT allowed; the tests that read pages allow their own
server's port only (settings.LINK_FETCH_LOOPBACK_PORTS).
"""

import gzip
import ipaddress
import socket
import threading
import time
import tracemalloc

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from archive.link_metadata import (
    MAX_BODY,
    FetchFailed,
    FetchStatus,
    address_problem,
    fetch_page,
    read_metadata,
)


@pytest.fixture(autouse=True)
def only_loopback_connections(no_outside_connections):
    return no_outside_connections


@pytest.fixture
def server(page_server):
    return page_server


def html(head, body="<p>본문</p>", lang="ko"):
    return f'<!doctype html><html lang="{lang}"><head>{head}</head><body>{body}</body></html>'


def requested_paths(server):
    return [request.path for request, _response in server.log]


# Pages


def test_open_graph_page(server):
    server.expect_request("/kcbert").respond_with_data(
        html(
            "<title>GitHub - Beomi/KcBERT: 한국어 댓글 BERT</title>"
            '<meta property="og:title" content="Beomi/KcBERT">'
            '<meta property="og:description" content="  Korean comments\n BERT  ">'
            '<meta property="og:site_name" content="GitHub">'
            '<meta property="og:image" content="/images/kcbert.png">'
            '<meta property="og:url" content="https://github.com/Beomi/KcBERT">'
            '<link rel="canonical" href="https://github.com/Beomi/KcBERT">',
            lang="en",
        ),
        content_type="text/html; charset=utf-8",
    )
    page = fetch_page(server.url_for("/kcbert"))
    metadata = read_metadata(page)

    assert metadata.title == "Beomi/KcBERT"
    assert metadata.page_title == "GitHub - Beomi/KcBERT: 한국어 댓글 BERT"
    assert metadata.description == "Korean comments BERT"
    assert metadata.site_name == "GitHub"
    assert metadata.image_url == server.url_for("/images/kcbert.png")
    assert metadata.canonical_url == "https://github.com/Beomi/KcBERT"
    assert metadata.language == "en"
    assert not page.truncated


def test_plain_title_page(server):
    server.expect_request("/plain").respond_with_data(
        html(
            "<title>\n  Attention Is All You Need  \n</title>"
            '<meta name="description" content="The Transformer paper.">'
        ),
        content_type="text/html",
    )
    metadata = read_metadata(fetch_page(server.url_for("/plain")))

    assert metadata.title == "Attention Is All You Need"
    assert metadata.description == "The Transformer paper."
    assert metadata.site_name == metadata.image_url == metadata.canonical_url == ""
    assert metadata.language == "ko"


# CP949 extends EUC-KR: 똠 and 햏 are not in EUC-KR, and Korean "EUC-KR" pages use them anyway.
KOREAN_TITLE = "똠방각하의 햏 자연어처리 모델 공개"


@pytest.mark.parametrize(
    ("content_type", "meta"),
    [
        ("text/html", '<meta charset="euc-kr">'),
        ("text/html", '<meta http-equiv="Content-Type" content="text/html; charset=EUC-KR">'),
        ("text/html; charset=euc-kr", ""),
        ("text/html; charset=ks_c_5601-1987", ""),
        ("text/html; charset=CP949", ""),
    ],
)
def test_korean_euc_kr_page(server, content_type, meta):
    body = html(f"{meta}<title>{KOREAN_TITLE}</title>", "<p>" + "한국어 본문 " * 200 + "</p>")
    server.expect_request("/korean").respond_with_data(
        body.encode("cp949"), content_type=content_type
    )
    metadata = read_metadata(fetch_page(server.url_for("/korean")))

    assert metadata.title == KOREAN_TITLE


def test_a_page_without_a_declared_charset_is_detected(server):
    body = html(f"<title>{KOREAN_TITLE}</title>", "<p>" + "한국어 본문입니다. " * 100 + "</p>")
    server.expect_request("/undeclared").respond_with_data(
        body.encode("cp949"), content_type="text/html"
    )
    assert read_metadata(fetch_page(server.url_for("/undeclared"))).title == KOREAN_TITLE


def test_a_redirect_chain_is_followed_hop_by_hop(server):
    server.expect_ordered_request("/start").respond_with_data(
        "", status=301, headers={"Location": "/middle?from=start"}
    )
    server.expect_ordered_request("/middle").respond_with_data(
        "", status=302, headers={"Location": server.url_for("/final")}
    )
    server.expect_ordered_request("/final").respond_with_data(
        html('<title>Final</title><link rel="canonical" href="/final">'), content_type="text/html"
    )
    page = fetch_page(server.url_for("/start"))

    assert page.url == server.url_for("/final")
    assert read_metadata(page).canonical_url == server.url_for("/final")
    assert requested_paths(server) == ["/start", "/middle", "/final"]


def test_too_many_redirects(server):
    server.expect_request("/loop").respond_with_data("", status=302, headers={"Location": "/loop"})
    with pytest.raises(FetchFailed, match="redirects") as failure:
        fetch_page(server.url_for("/loop"))
    assert failure.value.status == FetchStatus.FAILED
    assert len(server.log) == 6


def test_no_cookies_kept_or_sent_and_an_honest_user_agent(server, settings):
    server.expect_request("/set").respond_with_data(
        "",
        status=302,
        headers={"Location": "/next", "Set-Cookie": "session=abc; Path=/"},
    )
    server.expect_request("/next").respond_with_data(
        html("<title>Next</title>"), content_type="text/html"
    )
    fetch_page(server.url_for("/set"))

    second = server.log[1][0]
    assert "Cookie" not in second.headers
    assert second.headers["User-Agent"] == f"Jugan/0.1.0 (+{settings.SITE_URL})"


# What gives nothing


def test_an_error_page_gives_nothing(server):
    server.expect_request("/missing").respond_with_data(
        html('<title>Page not found</title><meta property="og:title" content="404">'),
        status=404,
        content_type="text/html",
    )
    with pytest.raises(FetchFailed, match="HTTP 404") as failure:
        fetch_page(server.url_for("/missing"))
    assert failure.value.status == FetchStatus.FAILED


def test_a_server_error_gives_nothing(server):
    server.expect_request("/broken").respond_with_data("oops", status=503, content_type="text/html")
    with pytest.raises(FetchFailed, match="HTTP 503"):
        fetch_page(server.url_for("/broken"))


@pytest.mark.parametrize(
    "title", ["Log into Facebook", "Log in to Facebook | Facebook", "Facebook에 로그인"]
)
def test_a_facebook_login_wall_gives_nothing(server, title):
    server.expect_request("/groups/TensorFlowKR/permalink/1/").respond_with_data(
        html(f'<title>{title}</title><meta property="og:title" content="{title}">'),
        content_type="text/html",
    )
    page = fetch_page(server.url_for("/groups/TensorFlowKR/permalink/1/"))
    with pytest.raises(FetchFailed) as failure:
        read_metadata(page)
    assert failure.value.status == FetchStatus.LOGIN_WALL


def test_a_redirect_to_a_login_page_gives_nothing(server):
    server.expect_request("/groups/1/posts/2").respond_with_data(
        "", status=302, headers={"Location": "/login/?next=%2Fgroups%2F1%2Fposts%2F2"}
    )
    with pytest.raises(FetchFailed) as failure:
        fetch_page(server.url_for("/groups/1/posts/2"))
    assert failure.value.status == FetchStatus.LOGIN_WALL
    assert requested_paths(server) == ["/groups/1/posts/2"]  # the login page is not read


@pytest.mark.parametrize(
    "content_type", ["application/pdf", "image/png", "application/json", "text/plain", ""]
)
def test_only_html_is_read(server, content_type):
    server.expect_request("/file").respond_with_response(
        Response(b"%PDF-1.7 ...", headers={"Content-Type": content_type} if content_type else {})
    )
    with pytest.raises(FetchFailed) as failure:
        fetch_page(server.url_for("/file"))
    assert failure.value.status == FetchStatus.NOT_HTML


# Size and time


def test_a_huge_page_is_cut_at_the_cap(server):
    head = '<title>Huge</title><meta property="og:description" content="Still read">'
    server.expect_request("/huge").respond_with_data(
        html(head, "<p>" + "x" * (5 * MAX_BODY) + "</p>"), content_type="text/html"
    )
    page = fetch_page(server.url_for("/huge"))

    assert len(page.body) == MAX_BODY
    assert page.truncated
    assert read_metadata(page).description == "Still read"


def test_a_gzip_bomb_is_cut_at_the_cap_while_decompressing(server):
    bomb = gzip.compress(html("<title>Bomb</title>", "\0" * (64 * 2**20)).encode(), 9)
    assert len(bomb) < 2**20 // 4  # 64 MiB of page in under 256 KiB on the wire
    server.expect_request("/bomb").respond_with_data(
        bomb, content_type="text/html", headers={"Content-Encoding": "gzip"}
    )
    tracemalloc.start()
    try:
        page = fetch_page(server.url_for("/bomb"))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert len(page.body) == MAX_BODY
    assert page.truncated
    assert read_metadata(page).title == "Bomb"
    assert peak < 8 * MAX_BODY  # far below the 64 MiB the page unpacks to, even briefly


@pytest.fixture
def silent_server(settings):
    """Accepts connections (the kernel does) and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    settings.LINK_FETCH_LOOPBACK_PORTS = {listener.getsockname()[1]}
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    listener.close()


def test_a_server_that_hangs_is_given_up_at_the_deadline(silent_server):
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="within 1 s") as failure:
        fetch_page(silent_server, deadline=1)
    assert failure.value.status == FetchStatus.FAILED
    assert time.monotonic() - started < 1.5


@pytest.fixture
def trickling_server(settings):
    """Answers at once, then sends its page a byte every 50 ms for ever: each read is quick,
    so only a deadline over the whole read stops it."""
    listener = socket.create_server(("127.0.0.1", 0))
    settings.LINK_FETCH_LOOPBACK_PORTS = {listener.getsockname()[1]}
    stop = threading.Event()

    def serve():
        connection, _address = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<title>")
            while not stop.is_set():
                try:
                    connection.sendall(b"x")
                except OSError:
                    return
                time.sleep(0.05)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    stop.set()
    listener.close()
    thread.join(timeout=5)


@pytest.fixture
def stalling_server(settings):
    """Answers with its headers late, just before the deadline, then sends nothing more."""
    listener = socket.create_server(("127.0.0.1", 0))
    settings.LINK_FETCH_LOOPBACK_PORTS = {listener.getsockname()[1]}
    done = threading.Event()

    def serve():
        connection, _address = listener.accept()
        with connection:
            connection.recv(65536)
            time.sleep(0.7)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<title>")
            done.wait(5)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    done.set()
    listener.close()
    thread.join(timeout=5)


def test_a_body_that_stalls_is_given_up_at_the_deadline_not_a_read_timeout_later(
    stalling_server,
):
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="within 1 s"):
        fetch_page(stalling_server, deadline=1)
    assert time.monotonic() - started < 1.5


def test_a_page_that_trickles_in_is_given_up_at_the_deadline(trickling_server):
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="within 1 s"):
        fetch_page(trickling_server, deadline=1)
    assert time.monotonic() - started < 1.5


def test_the_deadline_is_five_seconds_at_most():
    from archive import link_metadata

    assert link_metadata.CONNECT_TIMEOUT < link_metadata.DEADLINE <= 5


# Addresses: checked with loopback NOT allowed


@pytest.fixture
def target(httpserver, settings):
    """A server on loopback the reader must never reach (loopback is not allowed)."""
    settings.LINK_FETCH_LOOPBACK_PORTS = frozenset()
    httpserver.expect_request("/secret").respond_with_data("admin panel")
    return httpserver


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "2130706433",  # 127.0.0.1 as one decimal number
        "0177.0.0.1",  # octal
        "0x7f.0.0.1",  # hexadecimal
        "127.1",  # shortened
        "017700000001",  # one octal number
        "localhost",  # a name that resolves to loopback
        "[::ffff:127.0.0.1]",  # IPv4-mapped IPv6
        "[::ffff:7f00:1]",
    ],
)
def test_loopback_in_any_spelling_is_refused_before_a_request(target, host):
    url = f"http://{host}:{target.port}/secret"
    with pytest.raises(FetchFailed) as failure:
        fetch_page(url)
    assert failure.value.status == FetchStatus.REFUSED
    assert target.log == []


def test_ipv6_loopback_is_refused_before_a_request(httpserver_ipv6, settings):
    settings.LINK_FETCH_LOOPBACK_PORTS = frozenset()
    httpserver_ipv6.expect_request("/secret").respond_with_data("admin panel")
    with pytest.raises(FetchFailed) as failure:
        fetch_page(f"http://[::1]:{httpserver_ipv6.port}/secret")
    assert failure.value.status == FetchStatus.REFUSED
    assert httpserver_ipv6.log == []


@pytest.mark.parametrize(
    ("name", "address"),
    [
        ("intranet.example", "10.1.2.3"),
        ("metadata.example", "169.254.169.254"),
        ("router.example", "192.168.0.1"),
        ("v6.example", "fd12:3456::1"),
        ("mapped.example", "::ffff:172.16.0.1"),
    ],
)
def test_names_that_resolve_to_private_addresses_are_refused(monkeypatch, name, address):
    """A stand-in for DNS (no name server here answers for the internet): the name resolves to
    a private address, and nothing is connected to."""
    resolve = socket.getaddrinfo

    def fake_getaddrinfo(host, port, *args, **kwargs):
        if host == name:
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (address, port or 80))]
        return resolve(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(FetchFailed) as failure:
        fetch_page(f"http://{name}/")
    assert failure.value.status == FetchStatus.REFUSED


@pytest.mark.parametrize(
    "location",
    [
        "http://10.0.0.1/",
        "http://172.16.0.1:8080/admin",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://100.64.0.1/",  # carrier-grade NAT
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://[fd00::1]/",
        "http://[fe80::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[2002:a00:1::]/",  # 6to4 of 10.0.0.1
        "http://167772161/",  # 10.0.0.1 as one decimal number
    ],
)
def test_redirects_into_private_ranges_are_refused_before_connecting(server, location):
    server.expect_request("/jump").respond_with_data("", status=302, headers={"Location": location})
    with pytest.raises(FetchFailed) as failure:
        fetch_page(server.url_for("/jump"))
    assert failure.value.status == FetchStatus.REFUSED
    # only_loopback_connections asserts that nothing was connected to


def test_a_redirect_into_loopback_is_refused_before_the_request(server, httpserver_ipv6):
    """The first server is allowed (it stands for a public site); the loopback services it
    redirects to are not, and never see a request."""
    other = HTTPServer(host="127.0.0.1", port=0)
    other.start()
    try:
        other.expect_request("/secret").respond_with_data("admin panel")
        httpserver_ipv6.expect_request("/secret").respond_with_data("admin panel")
        for target in (other.url_for("/secret"), f"http://[::1]:{httpserver_ipv6.port}/secret"):
            server.clear()
            server.expect_request("/jump").respond_with_data(
                "", status=307, headers={"Location": target}
            )
            with pytest.raises(FetchFailed) as failure:
                fetch_page(server.url_for("/jump"))
            assert failure.value.status == FetchStatus.REFUSED
            assert requested_paths(server) == ["/jump"]
        assert other.log == []
        assert httpserver_ipv6.log == []
    finally:
        other.stop()


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "file:///etc/passwd",
        "gopher://example.com/",
        "http://user:pw@example.com/",
    ],
)
def test_only_plain_http_addresses_are_read(url):
    with pytest.raises(FetchFailed) as failure:
        fetch_page(url)
    assert failure.value.status == FetchStatus.REFUSED


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.0.1", "private"),
        ("fc00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.251", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "private"),
        ("::", "private"),
        ("240.0.0.1", "private"),
        ("255.255.255.255", "private"),
        ("100.64.0.1", "not public"),
        ("192.0.2.10", "private"),  # documentation range
        ("198.18.0.1", "private"),  # benchmarking range
        ("::127.0.0.1", "reserved"),  # IPv4-compatible IPv6
        ("64:ff9b::a00:1", "reserved"),  # NAT64
        ("192.88.99.1", "not public"),  # 6to4 relay anycast
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:192.168.1.1", "private"),
        ("2002:c0a8:101::1", "private"),  # 6to4 of 192.168.1.1
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "private"),  # Teredo
    ],
)
def test_address_rules(address, problem):
    assert address_problem(ipaddress.ip_address(address), 80) == problem


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "211.249.220.24"]
)
def test_public_addresses_are_allowed(address):
    assert address_problem(ipaddress.ip_address(address), 443) is None


def test_loopback_is_allowed_only_on_the_allowed_ports():
    loopback = ipaddress.ip_address("127.0.0.1")
    assert address_problem(loopback, 8000, frozenset({8000})) is None
    assert address_problem(loopback, 8001, frozenset({8000})) == "loopback"
    assert address_problem(ipaddress.ip_address("10.0.0.1"), 8000, frozenset({8000})) == "private"
