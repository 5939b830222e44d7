"""Reading a linked page for what it says about itself, without letting it read us.

A curator pastes any address, and a page may redirect anywhere: reading it from our server is
a request on the curator's behalf (and the page author's) into whatever network the server
sits in. So the reader

* connects only to public addresses. Each connection's address is resolved once and pinned
  (requests-hardened's adapter), then checked here again before anything is sent: loopback,
  private, link-local, multicast, reserved, unspecified and translation ranges are refused,
  IPv4 in any spelling (`2130706433`, `0177.0.0.1`: the resolver reads them) and IPv6 with an
  IPv4 inside (mapped, compatible, 6to4, Teredo) alike. Redirects are followed one hop at a
  time, so every hop is checked the same way before it is requested;
* stops after DEADLINE seconds in all, however the time goes (connecting, waiting, a page
  trickling in a byte at a time), and after MAX_REDIRECTS hops;
* reads at most MAX_BODY bytes, counted after decompression, a read at a time: a small gzip
  bomb never becomes a large string;
* reads only HTML, sends no cookies and keeps none, ignores proxy settings from the
  environment, and says who it is (User-Agent `Jugan/<version> (+SITE_URL)`);
* decodes the charsets Korean pages use (EUC-KR is read as its superset CP949, as browsers do)
  and parses with BeautifulSoup, never with regular expressions.

An error page (4xx, 5xx) or a login wall ("Log into Facebook") gives nothing, rather than its
words as a title. `archive/tasks.py` runs this in a worker, never in a request.
"""

import ipaddress
import time
from dataclasses import dataclass, fields
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urljoin, urlsplit

import requests
from bs4 import BeautifulSoup
from bs4.dammit import EncodingDetector, UnicodeDammit
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from requests.cookies import RequestsCookieJar
from requests_hardened.ip_filter import EXTRA_BLOCKED_NET_RANGES, InvalidIPAddress
from requests_hardened.ip_filter_adapter import IPFilterAdapter
from urllib3.exceptions import HTTPError as Urllib3Error

CONNECT_TIMEOUT = 2.0  # seconds to open a connection, within the deadline
DEADLINE = 5.0  # seconds for the whole read: every hop, header and byte
MAX_REDIRECTS = 5
MAX_BODY = 2 * 1024 * 1024  # bytes of the page read, after decompression
CHUNK = 64 * 1024
HTML_TYPES = {"text/html", "application/xhtml+xml"}
# Labels of charsets whose pages are really written in a larger one (WHATWG Encoding Standard):
# "EUC-KR" pages hold CP949's extra syllables (똠, 햏), ISO-8859-1 pages Windows-1252's quotes.
CHARSET_SUPERSETS = {
    "euc-kr": "cp949",
    "euc_kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "ksc5601": "cp949",
    "ksc_5601": "cp949",
    "korean": "cp949",
    "windows-949": "cp949",
    "x-windows-949": "cp949",
    "uhc": "cp949",
    "iso-8859-1": "windows-1252",
    "latin1": "windows-1252",
    "us-ascii": "windows-1252",
    "ascii": "windows-1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc-jp": "euc_jis_2004",
}
# Where a site sends a visitor who must sign in first: a path segment, or the whole path.
LOGIN_PATH_SEGMENTS = {"login", "login.php", "signin", "sign-in", "sign_in", "checkpoint"}
# What a login wall calls itself, casefolded: its words are never a link's title.
LOGIN_WALL_TITLES = (
    "log into facebook",
    "log in to facebook",
    "facebook - log in or sign up",
    "facebook – log in or sign up",
    "facebook에 로그인",
    "페이스북에 로그인",
    "로그인 | facebook",
)


class FetchStatus(models.TextChoices):
    FETCHED = "fetched", _("Read")
    REFUSED = "refused", _("Refused: not a public address")
    FAILED = "failed", _("Could not be read")
    NOT_HTML = "not_html", _("Not a web page")
    LOGIN_WALL = "login_wall", _("Behind a login")


class FetchFailed(Exception):
    """The page gave nothing to read; `status` says why, the message in detail."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class AddressRefused(InvalidIPAddress):
    """An address the reader will not connect to."""


@dataclass(frozen=True)
class Page:
    url: str  # after redirects
    body: bytes
    charset: str  # from the Content-Type header; may be empty
    truncated: bool


@dataclass(frozen=True)
class PageMetadata:
    """What a page says about itself; each field but `page_title` is a Link field's name."""

    title: str = ""
    description: str = ""
    site_name: str = ""
    image_url: str = ""
    canonical_url: str = ""
    language: str = ""
    # The page's own <title>, as a browser shows it (and the bookmarklet sends it).
    page_title: str = ""

    def link_fields(self):
        return {
            field.name: getattr(self, field.name)
            for field in fields(self)
            if field.name != "page_title"
        }


def user_agent():
    try:
        release = version("jugan")
    except PackageNotFoundError:  # running from a checkout that was never installed
        release = "dev"
    return f"Jugan/{release} (+{settings.SITE_URL})"


def address_problem(ip, port, loopback_ports=frozenset()):
    """Why the reader must not connect to this address, or None when it may. Loopback is
    allowed only on `loopback_ports` (the tests' own servers)."""
    if ip.version == 6:
        embedded = ip.ipv4_mapped or (ip.teredo[1] if ip.teredo else None) or ip.sixtofour
        if embedded is not None:
            return address_problem(embedded, port, loopback_ports) or "an IPv4 address inside"
    if ip.is_loopback:
        return None if port in loopback_ports else "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_private:
        return "private"
    if ip.is_reserved or ip.is_unspecified:
        return "reserved"
    if not ip.is_global or any(ip in network for network in EXTRA_BLOCKED_NET_RANGES):
        return "not public"
    return None


class PublicAddressAdapter(IPFilterAdapter):
    """requests-hardened's adapter (the host resolved once, the connection pinned to that
    address, TLS still checked against the name) with this module's stricter rule applied to
    the very address connected to."""

    def __init__(self, is_https_proto, loopback_ports):
        super().__init__(is_https_proto=is_https_proto, allow_loopback=bool(loopback_ports))
        self.loopback_ports = loopback_ports

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        ip = ipaddress.ip_address(host_params["host"].strip("[]"))
        port = host_params["port"] or (443 if host_params["scheme"] == "https" else 80)
        if problem := address_problem(ip, port, self.loopback_ports):
            raise AddressRefused(f"{ip} is {problem}")
        return host_params, pool_kwargs


class NoCookies(RequestsCookieJar):
    """A jar that keeps nothing: a page cannot give the reader an identity across hops."""

    def set_cookie(self, cookie, *args, **kwargs):
        return None


def _session(loopback_ports):
    session = requests.Session()
    session.trust_env = False  # no proxy, .netrc or CA bundle from the environment
    session.cookies = NoCookies()
    session.headers = {
        "User-Agent": user_agent(),
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
        "Accept-Language": "ko,en;q=0.8",
        # Only decoders urllib3 bounds read by read; never Brotli or zstd.
        "Accept-Encoding": "gzip, deflate",
    }
    session.mount("http://", PublicAddressAdapter(False, loopback_ports))
    session.mount("https://", PublicAddressAdapter(True, loopback_ports))
    return session


def _check_address(url):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchFailed(FetchStatus.REFUSED, f"only http and https are read, not {url}")
    if parts.username or parts.password:
        raise FetchFailed(FetchStatus.REFUSED, "an address with a user name is not read")
    if not parts.hostname:
        raise FetchFailed(FetchStatus.FAILED, f"{url} names no host")


def is_login_address(url):
    segments = {segment.lower() for segment in urlsplit(url).path.split("/") if segment}
    return bool(segments & LOGIN_PATH_SEGMENTS)


def fetch_page(url, *, deadline=DEADLINE, loopback_ports=None) -> Page:
    """The page at `url`, following redirects; raises FetchFailed when it gives nothing."""
    if loopback_ports is None:
        loopback_ports = settings.LINK_FETCH_LOOPBACK_PORTS
    stop_at = time.monotonic() + deadline
    with _session(frozenset(loopback_ports)) as session:
        for _hop in range(MAX_REDIRECTS + 1):
            _check_address(url)
            response = _request(session, url, stop_at, deadline)
            with response:
                if response.is_redirect:
                    url = urljoin(url, response.headers["Location"])
                    if is_login_address(url):
                        raise FetchFailed(FetchStatus.LOGIN_WALL, f"redirected to {url}")
                    continue
                if response.status_code != 200:  # an error page, or no page at all
                    raise FetchFailed(FetchStatus.FAILED, f"HTTP {response.status_code}")
                content_type, charset = _content_type(response.headers.get("Content-Type", ""))
                if content_type not in HTML_TYPES:
                    raise FetchFailed(FetchStatus.NOT_HTML, content_type or "no content type")
                body, truncated = _read_capped(response, stop_at, deadline)
                return Page(url=url, body=body, charset=charset, truncated=truncated)
    raise FetchFailed(FetchStatus.FAILED, f"more than {MAX_REDIRECTS} redirects")


def _request(session, url, stop_at, deadline):
    remaining = _remaining(stop_at, deadline)
    try:
        return session.get(
            url,
            stream=True,
            allow_redirects=False,
            timeout=(min(CONNECT_TIMEOUT, remaining), remaining),
        )
    except InvalidIPAddress as error:
        raise FetchFailed(FetchStatus.REFUSED, _refusal(url, error)) from None
    except requests.Timeout:
        raise FetchFailed(FetchStatus.FAILED, f"no answer within {deadline:g} s") from None
    except (requests.RequestException, Urllib3Error, OSError, ValueError) as error:
        raise FetchFailed(FetchStatus.FAILED, _first_line(error)) from None


def _refusal(url, error):
    """ "host: address is private", whichever check refused it (requests-hardened's names only
    the address)."""
    reason = str(error)
    try:
        ip = ipaddress.ip_address(reason)
    except ValueError:
        pass
    else:
        reason = f"{ip} is {address_problem(ip, 0) or 'not public'}"
    return f"{urlsplit(url).hostname}: {reason}"


def _remaining(stop_at, deadline):
    remaining = stop_at - time.monotonic()
    if remaining <= 0:
        raise FetchFailed(FetchStatus.FAILED, f"not read within {deadline:g} s")
    return remaining


def _read_capped(response, stop_at, deadline):
    """The body, decompressed, up to MAX_BODY bytes; each read may wait only until the
    deadline. urllib3 (2.6 and later) decompresses no more than it is asked for per read, so a
    gzip bomb is cut while it is unpacked."""
    body = bytearray()
    try:
        while len(body) < MAX_BODY:
            _limit_wait(response, _remaining(stop_at, deadline))
            # read1: whatever one read of the connection brings, not a wait for a full chunk.
            chunk = response.raw.read1(min(CHUNK, MAX_BODY - len(body)), decode_content=True)
            if not chunk:
                return bytes(body), False
            body += chunk
    except (Urllib3Error, OSError) as error:
        if time.monotonic() >= stop_at:
            raise FetchFailed(FetchStatus.FAILED, f"not read within {deadline:g} s") from None
        raise FetchFailed(FetchStatus.FAILED, _first_line(error)) from None
    return bytes(body), True


def _limit_wait(response, seconds):
    """Let the next read of the connection wait at most `seconds`: the read timeout given to
    requests was counted from when the request was sent, not from now."""
    if (sock := _socket_of(response)) is not None:
        sock.settimeout(seconds)


def _socket_of(response):
    """The socket a response is read from. urllib3's connection holds it while it stays open;
    when the server will close it, http.client leaves it only to the response's file (whose
    `raw` is a socket.SocketIO). Without either, reads wait for requests' read timeout."""
    if (sock := getattr(getattr(response.raw, "connection", None), "sock", None)) is not None:
        return sock
    stream = getattr(getattr(getattr(response.raw, "_fp", None), "fp", None), "raw", None)
    return getattr(stream, "_sock", None)


def _content_type(header):
    media_type, *parameters = header.split(";")
    charset = ""
    for parameter in parameters:
        name, _equals, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'")
    return media_type.strip().lower(), charset


def _first_line(error):
    text = str(error) or type(error).__name__
    return text.splitlines()[0][:300]


def decode(body, charset=""):
    """The page's text: its declared charset (header, then BOM or <meta>), read as the superset
    browsers use; else UTF-8 when the bytes are UTF-8; else detected."""
    declared = [charset, EncodingDetector.find_declared_encoding(body, is_html=True) or ""]
    candidates = []
    for label in declared:
        label = label.strip().lower()
        if label:
            candidates.append(CHARSET_SUPERSETS.get(label, label))
    candidates.append("utf-8")  # strict: bytes in another charset fail it and are detected
    dammit = UnicodeDammit(body, known_definite_encodings=candidates, is_html=True)
    return dammit.unicode_markup or body.decode("utf-8", errors="replace")


def read_metadata(page: Page) -> PageMetadata:
    """What the page says about itself: Open Graph and Twitter tags, then plain HTML."""
    soup = BeautifulSoup(decode(page.body, page.charset), "html.parser")
    meta = {}
    for tag in soup.find_all("meta"):
        key = (tag.get("property") or tag.get("name") or "").strip().lower()
        content = tag.get("content")
        if key and isinstance(content, str) and content.strip() and key not in meta:
            meta[key] = _one_line(content)
    html_title = _one_line(soup.title.get_text()) if soup.title else ""
    if html_title.casefold().startswith(LOGIN_WALL_TITLES) or meta.get(
        "og:title", ""
    ).casefold().startswith(LOGIN_WALL_TITLES):
        raise FetchFailed(FetchStatus.LOGIN_WALL, html_title or meta["og:title"])
    html = soup.find("html")
    return PageMetadata(
        title=meta.get("og:title") or meta.get("twitter:title") or html_title,
        description=(
            meta.get("og:description")
            or meta.get("twitter:description")
            or meta.get("description", "")
        ),
        site_name=meta.get("og:site_name") or meta.get("application-name", ""),
        image_url=_address(
            page.url,
            meta.get("og:image:secure_url") or meta.get("og:image") or meta.get("twitter:image"),
        ),
        canonical_url=_address(page.url, _canonical_href(soup) or meta.get("og:url")),
        language=_language(
            (html.get("lang") if html else None)
            or meta.get("og:locale")
            or meta.get("content-language")
        ),
        page_title=html_title,
    )


def _canonical_href(soup):
    for link in soup.find_all("link", href=True):
        relations = link.get("rel") or []
        if "canonical" in [relation.lower() for relation in relations]:
            return link["href"]
    return None


def _address(base, href):
    """An absolute http(s) address from an attribute, or "" when it is anything else."""
    if not isinstance(href, str) or not href.strip():
        return ""
    address = urljoin(base, href.strip())
    return address if urlsplit(address).scheme in ("http", "https") else ""


def _language(value):
    """A BCP 47 tag as pages write it ("ko", "ko_KR", "en-US"), or ""."""
    if not isinstance(value, str):
        return ""
    tag = value.strip().replace("_", "-")
    allowed = all(
        part.isascii() and part.isalnum() and 0 < len(part) <= 8 for part in tag.split("-")
    )
    return tag if tag and allowed else ""


def _one_line(text):
    return " ".join(text.split())
