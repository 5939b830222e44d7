"""The Markdown pipeline against hostile input: only the allowlist may come out."""

import pytest

from archive.rendering import render_markdown, sanitize_html
from tests.hostile.safety import assert_only_allowlisted
from tests.html import parse_html

HOSTILE_MARKDOWN = [
    # Script, however it is smuggled in.
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)>",
    "<math><mi xlink:href='javascript:alert(1)'>x</mi></math>",
    "```\n</code></pre><script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
    # Raw-text elements whose content bleach reads again as markup.
    "x <script><img src=x onerror=alert(1)></script>",
    "x <style><a href=javascript:alert(1)>y</a></style>",
    "x <textarea><svg onload=alert(1)></textarea>",
    "x <noscript><p title='</noscript><img src=x onerror=alert(1)>'></noscript>",
    "x <plaintext><img src=x onerror=alert(1)>",
    # Links to script or data, plain, in Markdown, entity-encoded, split by whitespace.
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](jav&#x61;script:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](javascript&colon;alert(1))",
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "[click](vbscript:msgbox(1))",
    '<a href="VBSCRIPT:msgbox(1)">x</a>',
    "<javascript:alert(1)>",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "![img](javascript:alert(1))",
    '<img src="x" onerror="alert(1)">',
    # Event handlers and styles on allowed tags.
    '<a href="https://example.com" onclick="alert(1)" onmouseover="alert(2)">x</a>',
    '<p onclick="alert(1)">text</p>',
    '<b style="background:url(javascript:alert(1))">bold</b>',
    '<p style="position:fixed;top:0">overlay</p>',
    '<a href="https://example.com" style="color:red" target="_blank" rel="opener">x</a>',
    '<code class="language-py onclick">x</code>',
    '<code class="evil">x</code>',
    '<ol start="1 onclick=alert(1)"><li>x</li></ol>',
    # Broken and unclosed tags.
    '<a href="https://example.com"',
    '<b onclick="x">b</b',
    "<p <script>alert(1)</script>",
    "<div><p>unclosed",
    '<a href="https://example.com">one<a href="javascript:alert(1)">two</a>',
    "<!-- <script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    # Nested quotes holding hostile content.
    "> > > <script>alert(1)</script> deep",
    "> quote\n>> [x](javascript:alert(1))\n>>> <iframe src=https://evil.example></iframe>",
    "> " * 200 + "bottom",
    # Frames, objects, forms, styles, meta.
    '<iframe src="https://evil.example"></iframe>after',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    '<form action="https://evil.example"><input name="password"><button>go</button></form>',
    "<style>body{display:none}</style>text",
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    '<img src="https://evil.example/pixel.gif">',
    '<table><tr><td style="x" onclick="y">cell</td></tr></table>',
]


@pytest.mark.parametrize("markdown", HOSTILE_MARKDOWN)
def test_hostile_markdown_keeps_only_the_allowlist(markdown):
    html = render_markdown(markdown)

    assert_only_allowlisted(html)
    # Hostile text may survive only as escaped text, never as markup.
    assert "<script" not in html.lower()


@pytest.mark.parametrize("markdown", HOSTILE_MARKDOWN)
def test_sanitising_is_stable(markdown):
    html = render_markdown(markdown)
    assert sanitize_html(html) == html


@pytest.mark.parametrize(
    "markdown, expected",
    [
        ("[x](javascript:alert(1))", "<p><a>x</a></p>"),
        ("<p onclick=\"x\">text</p>", "<p>text</p>"),
        ("<iframe src=\"https://evil.example\"></iframe>after", "<p>after</p>"),
        # A dropped tag leaves its text, escaped and inert.
        ("<script>alert(1)</script>", "alert(1)"),
        ("<script><img src=x onerror=alert(1)></script>", ""),
        ("[internal](/posts/pororo/)", '<p><a href="/posts/pororo/">internal</a></p>'),
        ("[site](http://testserver/2021/w05/)", '<p><a href="http://testserver/2021/w05/">site</a></p>'),
        ("[mail](mailto:curator@example.com)", '<p><a href="mailto:curator@example.com">mail</a></p>'),
        (
            "see https://github.com/kakaobrain/pororo now",
            '<p>see <a href="https://github.com/kakaobrain/pororo" rel="nofollow noopener">'
            "https://github.com/kakaobrain/pororo</a> now</p>",
        ),
        (
            '<a href="https://example.com" rel="opener" target="_blank">x</a>',
            '<p><a href="https://example.com" rel="nofollow noopener">x</a></p>',
        ),
        ("> a\n>\n> > b", "<blockquote>\n<p>a</p>\n<blockquote>\n<p>b</p>\n</blockquote>\n</blockquote>"),
        ("line<br/>break", "<p>line<br>break</p>"),
        ("<br/>\n\n<br/>\n\ntext", "<p>text</p>"),
        ("```python\nx = '<b>'\n```", '<pre><code class="language-python">x = \'&lt;b&gt;\'\n</code></pre>'),
        # A bare address becomes a link only with one of our schemes, however it is written.
        (
            "DATA:0.AL data:text.com/html,x",
            '<p>DATA:<a href="http://0.AL" rel="nofollow noopener">0.AL</a> data:'
            '<a href="http://text.com/html,x" rel="nofollow noopener">text.com/html,x</a></p>',
        ),
        # An address no browser could follow keeps its text (urlsplit refuses its host).
        ("[x](http://[a]/)", "<p><a>x</a></p>"),
        # Bare addresses in parentheses, as Korean prose writes them, still become links.
        (
            "논문(https://arxiv.org/abs/2101.00001) 참고",
            '<p>논문(<a href="https://arxiv.org/abs/2101.00001" rel="nofollow noopener">'
            "https://arxiv.org/abs/2101.00001</a>) 참고</p>",
        ),
        ("", ""),
    ],
)  # fmt: skip
def test_rendering_examples(markdown, expected):
    assert render_markdown(markdown) == expected


def test_a_quote_keeps_its_links_and_emphasis():
    html = render_markdown(
        "> **Pororo**는 [라이브러리](https://github.com/kakaobrain/pororo?fbclid=x)입니다.\n"
        "> </br>\n"
        "> [홈페이지](https://airsc.ai/)"
    )

    root = parse_html(html)
    quote = root.find("blockquote")
    assert quote.find("strong").text == "Pororo"
    assert [a.attrs["href"] for a in quote.find_all("a")] == [
        "https://github.com/kakaobrain/pororo?fbclid=x",
        "https://airsc.ai/",
    ]
    assert_only_allowlisted(html)
