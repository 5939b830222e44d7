"""For any text at all, render_markdown returns only allowlisted elements, attributes and URL
schemes, and never raises: checked on random text, on random Markdown- and HTML-ish text built
from the pieces hostile input is made of, and on the XSS corpus cut up and recombined."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.markdown_limits import markdown_problem
from archive.rendering import render_markdown
from tests.hostile.corpus import payloads
from tests.hostile.safety import assert_only_allowlisted

PIECES = [
    # Markdown block and inline syntax
    "\n", "\n\n", "    ", "\t", "> ", "- ", "* ", "1. ", "# ", "---", "```", "~~~", "`", "|", "| --- |",
    "*", "**", "_", "[", "]", "(", ")", "![", "](", "]: ", "<", ">", "\\", "&", "#", ";", "\"", "'",
    # URL schemes and their disguises
    "javascript:", "JaVaScRiPt:", "java\tscript:", "jav&#x61;script:", "&#106;avascript:",
    "vbscript:", "data:text/html,", "data:", "http://", "https://", "mailto:", "//", "www.", ".com",
    "\u200b", "\u00ad", "\ufeff", "\u202e", "\x00", "\x01", "\x0c",
    # Tags, attributes, comments, CDATA
    "<script>", "</script>", "<a href=", "<img src=x onerror=", "<svg", "<math", "<style>",
    "<noscript>", "<textarea>", "<iframe", "<!--", "-->", "<![CDATA[", "]]>", "onclick=", " on",
    "alert(1)", "=", "/", "x",
]  # fmt: skip


def cut(text):
    """Any slice of a text."""
    return st.tuples(st.integers(0, len(text)), st.integers(0, len(text))).map(
        lambda ends: text[min(ends) : max(ends)]
    )


corpus_pieces = st.sampled_from(payloads()).flatmap(cut)
markdownish = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(max_size=8), corpus_pieces), max_size=40
).map("".join)
corpus_joined = st.lists(st.sampled_from(payloads()), min_size=2, max_size=4).map("\n".join)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), markdownish, corpus_joined))
def test_any_text_renders_to_allowlisted_html(text):
    html = render_markdown(text)

    assert_only_allowlisted(html)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="[]()`<>\\*_-> \n!\"'", min_size=1, max_size=3000))
def test_bracket_heavy_text_is_refused_or_rendered(text):
    """Whatever markdown_problem accepts renders as Markdown; the rest as plain text."""
    html = render_markdown(text)

    if markdown_problem(text):
        assert html.startswith("<p>")
    assert_only_allowlisted(html)
