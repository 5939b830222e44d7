"""The second wall: even if curator HTML got past the sanitiser, the Content-Security-Policy every
response carries would stop a browser from running it.

The policy is read the way a CSP Level 3 browser reads it (a directive falls back to
`script-src`, then `default-src`), so the test says what a browser would do with an inline
`<script>`, an `onclick` attribute or a `javascript:` link, not which strings the header holds.
"""

import pytest

from tests.factories import make_round_up_week

pytestmark = pytest.mark.django_db

# Sources under which a browser runs script it did not load from the site's own files.
RUNS_INJECTED_SCRIPT = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:", "blob:", "http:", "https:", "'strict-dynamic'"}  # fmt: skip
FALLBACKS = {
    "script-src-elem": ["script-src-elem", "script-src", "default-src"],
    "script-src-attr": ["script-src-attr", "script-src", "default-src"],
    "object-src": ["object-src", "default-src"],
}


def parse_policy(header):
    """{directive: [sources]} of a Content-Security-Policy header."""
    policy = {}
    for directive in header.split(";"):
        name, *sources = directive.split()
        policy.setdefault(name.lower(), sources)  # a repeated directive is ignored
    return policy


def sources(policy, directive):
    for name in FALLBACKS[directive]:
        if name in policy:
            return policy[name]
    return None  # no directive: anything goes


def runs_inline_script(policy, directive="script-src-elem"):
    """Whether a browser would run an inline <script> (script-src-elem) or an event handler or
    javascript: URL (script-src-attr) under this policy."""
    allowed = sources(policy, directive)
    if allowed is None:
        return True
    # A nonce or hash makes browsers ignore 'unsafe-inline'; but then only known script runs.
    if any(source.startswith(("'nonce-", "'sha")) for source in allowed):
        return False
    return "'unsafe-inline'" in allowed or (
        directive == "script-src-attr" and "'unsafe-hashes'" in allowed
    )


@pytest.mark.parametrize(
    "header, inline, attribute",
    [
        ("default-src 'self'", False, False),
        ("script-src 'self' 'unsafe-inline'", True, True),
        ("default-src *", False, False),
        ("default-src 'self' 'unsafe-inline'", True, True),
        ("script-src 'self' 'nonce-abc' 'unsafe-inline'", False, False),
        ("script-src-elem 'self'; script-src 'unsafe-inline'", False, True),
        ("img-src 'self'", True, True),
    ],
)
def test_the_policy_reader_reads_policies_as_browsers_do(header, inline, attribute):
    policy = parse_policy(header)

    assert runs_inline_script(policy, "script-src-elem") is inline
    assert runs_inline_script(policy, "script-src-attr") is attribute


@pytest.fixture
def week(db):
    return make_round_up_week()


def reader_urls(week):
    post = week.posts.first()
    topic = post.topics.first()
    return [
        "/",
        "/weeks/",
        "/weeks/2021/",
        week.get_absolute_url(),
        post.get_absolute_url(),
        "/topics/",
        f"/topics/{topic.slug}/",
        "/search/?q=%EB%AA%A8%EB%8D%B8",
        "/feeds/",
        "/no/such/page/",
    ]


DOCUMENTS = [
    "/feed/",
    "/feed/atom/",
    "/feed.json",
    "/feed/posts/",
    "/feed/posts/atom/",
    "/feeds.opml",
    "/sitemap.xml",
    "/robots.txt",
    "/2021/w05.md",
]


def test_every_reader_page_and_document_forbids_injected_script(client, week):
    for url in reader_urls(week) + DOCUMENTS:
        response = client.get(url)
        assert response.status_code in {200, 404}, url
        policy = parse_policy(response["Content-Security-Policy"])

        assert not runs_inline_script(policy, "script-src-elem"), url
        assert not runs_inline_script(policy, "script-src-attr"), url
        for directive in ("script-src-elem", "script-src-attr"):
            assert not set(sources(policy, directive)) & RUNS_INJECTED_SCRIPT, url
        assert sources(policy, "object-src") == ["'none'"], url
        assert policy.get("base-uri") in (["'self'"], ["'none'"]), url
        assert policy.get("frame-ancestors") == ["'none'"], url
        assert policy.get("form-action") == ["'self'"], url


def test_nothing_the_site_serves_can_be_loaded_as_its_own_script(client, week):
    """`script-src 'self'` trusts the site's own files: no response carrying curator text may
    pass for one. nosniff makes browsers refuse a script whose type is not JavaScript."""
    for url in reader_urls(week) + DOCUMENTS:
        response = client.get(url)
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert "javascript" not in response["Content-Type"], url
        assert "ecmascript" not in response["Content-Type"], url


def test_the_server_error_page_carries_the_policy_too(client, settings):
    settings.ROOT_URLCONF = "tests.digest.urls_with_error"
    client.raise_request_exception = False

    response = client.get("/broken/")

    assert response.status_code == 500
    assert not runs_inline_script(parse_policy(response["Content-Security-Policy"]))
