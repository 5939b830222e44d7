"""Curator Markdown to safe HTML: the only place Jugan turns stored text into markup.

Rendering happens when an object is saved (into its `*_html` fields), never per request.
Every bleach call lives in `sanitize_html`, so the allowlist is read and tested in one place.
Text that would cost Python-Markdown too much (`archive.markdown_limits`) is shown as plain text.
"""

import re
from functools import partial
from urllib.parse import urlsplit

import bleach
import markdown
from bleach.linkifier import LinkifyFilter, build_url_re
from django.conf import settings
from django.utils.html import linebreaks

from archive.markdown_limits import markdown_problem

MARKDOWN_EXTENSIONS = ["fenced_code", "tables", "sane_lists"]
# Paragraphs that hold nothing but line breaks: the `<br/>` spacers hand-written posts use.
EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|<br>)*</p>\n?")

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6",
        "hr", "i", "kbd", "li", "mark", "ol", "p", "pre", "s", "strong", "sub", "sup",
        "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
SAFE_CLASS_PREFIX = "language-"

# Bare URLs become links after the sanitiser has run, so their scheme must be one of ours:
# bleach's own pattern takes every scheme html5lib knows, data: among them. Its pattern is also
# tried at every position of a run of "(" or of a word with hyphens, reading the rest of it each
# time (seconds for one long run); tried only where a run or a word starts, it finds the same
# URLs in one pass.
URL_OF_OUR_SCHEMES = build_url_re(protocols=sorted(ALLOWED_PROTOCOLS))
BARE_URL = re.compile(
    r"(?:(?<!\()(?=\()|(?<![\w(-]))" + URL_OF_OUR_SCHEMES.pattern, URL_OF_OUR_SCHEMES.flags
)


def _allowed_attribute(tag, name, value):
    if tag == "a":
        return name in {"href", "title", "rel"}
    if tag == "abbr":
        return name == "title"
    if tag == "ol":
        return name == "start" and value.isdigit()
    if tag == "code":
        # Fenced code keeps its language for a future highlighter; nothing else may style it.
        return name == "class" and value.startswith(SAFE_CLASS_PREFIX) and value[9:].isalnum()
    return False


def _mark_external(attrs, new=False):
    """nofollow noopener on every link that leaves the site; internal links stay plain."""
    href = attrs.get((None, "href"), "")
    try:
        host = urlsplit(href).hostname
    except ValueError:
        # An address no browser could follow either, such as http://[a]/: keep the text only.
        attrs.pop((None, "href"))
        attrs.pop((None, "rel"), None)
        return attrs
    if host and host != urlsplit(settings.SITE_URL).hostname:
        attrs[(None, "rel")] = "nofollow noopener"
    else:
        attrs.pop((None, "rel"), None)
    return attrs


def _cleaner():
    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=_allowed_attribute,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[
            partial(
                LinkifyFilter,
                callbacks=[_mark_external],
                skip_tags={"pre", "code"},
                url_re=BARE_URL,
            )
        ],
    )


def sanitize_html(html: str) -> str:
    """Reduce any HTML to the allowlist; bare URLs become links, external links get rel."""
    return _cleaner().clean(html)


def render_markdown(text: str) -> str:
    """Curator Markdown as HTML that is safe to show any reader; never raises.

    Raw HTML in the Markdown keeps only allowlisted tags (others are stripped, their text kept);
    a paragraph of nothing but `<br>` spacers is dropped, so pasted blog posts lose their layout
    hacks; table alignment is dropped because it would need a style attribute. A text that
    `markdown_problem` refuses (saved without the form's validation) is shown as plain text.
    """
    if not text.strip():
        return ""
    if markdown_problem(text):
        return plain_text_html(text)
    try:
        html = markdown.markdown(text, extensions=MARKDOWN_EXTENSIONS, output_format="html")
    except RecursionError:
        # The nesting limit keeps Python-Markdown far from Python's recursion limit, but how
        # close it starts depends on the caller's own depth.
        return plain_text_html(text)
    return EMPTY_PARAGRAPH.sub("", sanitize_html(html)).strip()


def plain_text_html(text: str) -> str:
    """The text escaped, its blank lines as paragraphs and its line breaks as `<br>`."""
    return linebreaks(text.strip(), autoescape=True)
