"""Checks that a document can run nothing, read the way a browser or a feed reader reads it.

Parsers decode entities before these checks see a value; URLs are then cleaned the way the URL
standard tells browsers to (leading and trailing C0 controls and spaces stripped, tabs and
newlines removed anywhere) before their scheme is read, so `jav&#x09;ascript:` and
` javascript:` count as what they are.
"""

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit
from xml.etree import ElementTree

from bs4 import BeautifulSoup

from archive.rendering import ALLOWED_PROTOCOLS, ALLOWED_TAGS

# Attributes whose value a browser follows, fetches or runs as a URL.
URL_ATTRIBUTES = frozenset(
    {
        "action", "archive", "background", "cite", "classid", "codebase", "data", "dynsrc",
        "formaction", "href", "icon", "longdesc", "lowsrc", "manifest", "ping", "poster",
        "profile", "src", "srcset", "usemap", "xlink:href", "to", "values", "from", "by",
    }
)  # fmt: skip
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:")
# Elements that run script, embed another document, restyle the page or change how the rest of
# it is parsed or resolved. None of them belongs on a reader's page or in a feed entry.
FORBIDDEN_ELEMENTS = frozenset(
    {
        "applet", "audio", "base", "embed", "frame", "frameset", "iframe", "image", "img",
        "isindex", "keygen", "listing", "marquee", "math", "noembed", "noframes", "noscript",
        "object", "picture", "plaintext", "portal", "script", "source", "style", "svg",
        "template", "textarea", "track", "video", "xmp",
    }
)  # fmt: skip
# Any raw `<name` in a document is a tag: text and attribute values escape their `<`.
RAW_TAG = re.compile(r"<\s*/?\s*([a-zA-Z][^\s/>]*)")
# The site's own scripts, exactly as its templates write them: the copy buttons' file, and
# structured data (JSON-LD), which no browser runs and whose text holds no "<" to end it early.
SITE_SCRIPTS = re.compile(
    r'<script src="/static/js/copy-address\.js" defer></script>'
    r'|<script type="application/ld\+json">[^<]*</script>'
)
C0_OR_SPACE = "".join(map(chr, range(0x21)))
TAB_OR_NEWLINE = re.compile("[\t\n\r]")
URL_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")
# What render_markdown may emit, attribute by attribute.
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "rel"}, "abbr": {"title"}, "ol": {"start"}, "code": {"class"}}  # fmt: skip


def followed_url(value):
    """The URL a browser would follow for this attribute value (entities already decoded)."""
    return TAB_OR_NEWLINE.sub("", value.strip(C0_OR_SPACE)).lower()


def url_values(name, value):
    if name == "srcset":
        return [candidate.strip().split(" ")[0] for candidate in value.split(",")]
    return [value]


class _Inspector(HTMLParser):
    """Every start tag with its attributes, entities decoded, as the standard parser reads it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def start_tags(html):
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.tags


def assert_runs_nothing(html, where=""):
    """No element that runs or embeds anything, no event handler or style attribute, no
    script URL: in the raw markup and in the elements an HTML parser reads from it."""
    if isinstance(html, bytes):
        html = html.decode()
    html = SITE_SCRIPTS.sub("", html)
    raw_tags = {name.lower() for name in RAW_TAG.findall(html)}
    assert not raw_tags & FORBIDDEN_ELEMENTS, (where, raw_tags & FORBIDDEN_ELEMENTS)
    for tag, attrs in start_tags(html):
        assert tag not in FORBIDDEN_ELEMENTS, (where, tag, attrs)
        names = {name for name, _value in attrs}
        assert not (tag == "meta" and "http-equiv" in names), (where, attrs)
        for name, value in attrs:
            assert not name.startswith("on"), (where, tag, attrs)
            assert name not in {"style", "srcdoc", "formaction"}, (where, tag, attrs)
            if name in URL_ATTRIBUTES and value:
                for url in url_values(name, value):
                    assert not followed_url(url).startswith(SCRIPT_SCHEMES), (where, tag, url)


def assert_only_allowlisted(html, site_host="testserver"):
    """What render_markdown may emit: allowlisted elements and attributes, http(s) and mailto
    URLs (or relative ones), and rel="nofollow noopener" on every link leaving the site."""
    for element in BeautifulSoup(html, "html.parser").find_all(True):
        assert element.name in ALLOWED_TAGS, element.name
        assert set(element.attrs) <= ALLOWED_ATTRIBUTES.get(element.name, set()), element
        if element.name == "code" and "class" in element.attrs:
            (name,) = element["class"]
            assert name.startswith("language-") and name[len("language-") :].isalnum()
        if element.name == "ol" and "start" in element.attrs:
            assert element["start"].isdigit()
        if element.name == "a" and "href" in element.attrs:
            href = followed_url(element["href"])
            scheme = URL_SCHEME.match(href)
            # Without a scheme (`javas&Tab;cript:` has none) a browser resolves it as a path.
            assert not scheme or scheme.group(1) in ALLOWED_PROTOCOLS, href
            if urlsplit(href).hostname not in (None, site_host):
                assert element.get("rel") == ["nofollow", "noopener"], element
            else:
                assert "rel" not in element.attrs
    assert_runs_nothing(html)


# Feeds: the XML must parse, and every piece of HTML it carries must run nothing.

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
HTML_ELEMENTS = {"description", CONTENT, f"{ATOM}content", f"{ATOM}summary"}


def feed_html(document, content_type):
    """Every HTML text a feed carries (entry contents and descriptions), after checking that the
    document parses and that its own links are http(s)."""
    if content_type.startswith("application/feed+json"):
        feed = json.loads(document)
        for url in [feed["home_page_url"], feed["feed_url"]] + [
            item["url"] for item in feed["items"]
        ]:
            assert urlsplit(url).scheme in {"http", "https"}, url
        return [item["content_html"] for item in feed["items"]]
    root = ElementTree.fromstring(document)
    html = []
    for element in root.iter():
        assert element.tag.rpartition("}")[2].lower() not in FORBIDDEN_ELEMENTS, element.tag
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), name
            if name in {"href", "src", "xmlUrl", "htmlUrl", "url"}:
                assert urlsplit(value).scheme in {"http", "https"}, value
        if element.tag in HTML_ELEMENTS and element.text:
            html.append(element.text)
    return html


def assert_feed_runs_nothing(response, where=""):
    assert response.status_code == 200, (where, response.status_code)
    for html in feed_html(response.content, response["Content-Type"]):
        assert_runs_nothing(html, where)
