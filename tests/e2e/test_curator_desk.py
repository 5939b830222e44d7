"""The curator's desk, measured end to end as production runs it: gunicorn and a real task
worker (`manage.py db_worker`) sharing one database file, a local page with Open Graph tags
(pytest-httpserver, allowed on loopback by LINK_FETCH_LOOPBACK_PORTS), and Chromium.

Bookmarklet → the page's metadata read by the worker → a topic suggested → the week board →
publish → the feed: every browser action is counted and printed, and the journey may take at
most 10 (it took 18 before the board). And the capture form never waits for the captured site:
the page holding it arrives in under 300 ms (median of five) while that site hangs, and saving
the post returns before the hanging site is even released: the page is read by the worker."""

import os
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import ExitStack
from types import SimpleNamespace
from urllib.parse import urlencode

import feedparser
import pytest
from django.conf import settings
from playwright.sync_api import expect
from werkzeug import Response

from benchmarks.run import GUNICORN, free_port
from tests import factories
from tests.e2e.conftest import watched_contexts
from tests.e2e.test_curator import CountedSteps

pytestmark = pytest.mark.browser

PAGE_TITLE = "GitHub - Beomi/KcBERT: 한국어 댓글로 학습한 BERT"
OPEN_GRAPH_TITLE = "Beomi/KcBERT"
OPEN_GRAPH_PAGE = (
    '<!doctype html><html lang="ko"><head><meta charset="utf-8">'
    f"<title>{PAGE_TITLE}</title>"
    f'<meta property="og:title" content="{OPEN_GRAPH_TITLE}">'
    '<meta property="og:description" content="Korean comments BERT">'
    '<meta property="og:site_name" content="GitHub">'
    "</head><body><p>한국어 댓글로 학습한 BERT 모델입니다.</p></body></html>"
)
QUOTE = "한국어 댓글로 학습한 BERT 모델입니다."
THE_LINK = "SELECT 1 FROM archive_link WHERE url = ?"
POST_TITLES = (
    "SELECT post.title, post.status FROM archive_post post"
    " JOIN archive_postlink ON archive_postlink.post_id = post.id"
    " JOIN archive_link link ON link.id = archive_postlink.link_id WHERE link.url = ?"
)
MAX_ACTIONS = 10
CAPTURE_FORM_MS = 300
CREATE_CURATOR = f"""
from django.contrib.auth.models import Group, User
user = User.objects.create_user("curator", password={factories.PASSWORD!r}, is_staff=True)
user.groups.add(Group.objects.get(name="Curators"))
"""


@pytest.fixture
def desk(tmp_path, httpserver):
    """The site as `make serve` runs it plus one worker, on a database file of their own. The
    test process never opens it through Django: it reads it as any other program would."""
    database = tmp_path / "desk.sqlite3"
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "JUGAN_WORKER_DATABASE": str(database),
        "JUGAN_WORKER_PAGE_PORT": str(httpserver.port),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
    }
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)

    def manage(*arguments):
        return subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )

    manage("migrate", "--no-input", "--verbosity", "0")
    manage("loaddemo")  # what a newcomer's site holds: its topics are suggested
    manage("shell", "-c", CREATE_CURATOR)
    with ExitStack() as stack:
        started = []
        for command in (
            [GUNICORN, "--config", "config/gunicorn.py", "--no-control-socket", "config.wsgi"],
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
             "--interval", "0.2"],
        ):  # fmt: skip
            process = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            started.append(process)
            stack.callback(stop, process)
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(url)

        def query(sql, *parameters):
            with sqlite3.connect(database, timeout=10) as db:
                return db.execute(sql, parameters).fetchall()

        yield SimpleNamespace(url=url, query=query, worker=started[1])


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_until_serving(url):
    for _attempt in range(300):
        try:
            with urllib.request.urlopen(f"{url}/robots.txt", timeout=5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def wait_for(condition, seconds=30, what="the worker"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    raise AssertionError(f"{what} did not finish within {seconds} s")


@pytest.fixture
def watched(browser, desk):
    """Browser contexts on the desk's server, watched as tests/e2e/conftest.py watches them."""
    yield from watched_contexts(browser, desk.url)


class DeskSteps(CountedSteps):
    def type(self, locator, text):
        """Typing key by key, as the curator does while suggestions come: one action."""
        self.actions += 1
        locator.press_sequentially(text)


def bookmarklet_path(url, title, text=""):
    """The address the bookmarklet opens (archive/templatetags/curator_tools.py)."""
    return f"/admin/archive/post/add/?{urlencode({'url': url, 'title': title, 'text': text})}"


def test_the_curators_journey_from_bookmarklet_to_feed(watched, desk, httpserver, capsys):
    httpserver.expect_request("/kcbert").respond_with_data(
        OPEN_GRAPH_PAGE, content_type="text/html; charset=utf-8"
    )
    page_url = httpserver.url_for("/kcbert")
    page = watched(locale="en-US").new_page()
    steps = DeskSteps(page)

    # On the page, the curator selects a sentence and clicks the bookmarklet, then signs in.
    steps.open(bookmarklet_path(page_url, PAGE_TITLE, QUOTE))
    steps.fill(page.get_by_label("Username"), "curator")
    steps.fill(page.get_by_label("Password"), factories.PASSWORD)
    steps.click(page.get_by_role("button", name="Log in"))
    # The page is the post's first link, not its community source; the quote is its summary.
    expect(page.get_by_label("Title")).to_have_value(PAGE_TITLE)
    expect(page.get_by_label("Source")).to_have_value("")
    expect(page.locator("#id_post_links-0-url")).to_have_value(page_url)
    expect(page.get_by_label("Summary")).to_have_value(f"> {QUOTE}")
    assert httpserver.log == []  # nothing read the page while the form was made

    # A topic is suggested as the curator types; the suggestion is taken as offered.
    topics = page.get_by_label("Topics")
    steps.type(topics, "자연")
    suggestion = page.locator("#id_topics-suggestions option").first
    expect(suggestion).to_have_attribute("value", "자연어처리")
    steps.fill(topics, suggestion.get_attribute("value"))
    steps.click(page.get_by_role("button", name="Save and open the week board"))

    # The week board of this week: the post, and what it lacks (it is still a draft).
    expect(page.locator(".board-post")).to_have_count(1)
    expect(page.locator(".board-missing")).to_contain_text("to be published")

    # Meanwhile the worker, another process, read the page: the link has its metadata and the
    # post the page's own sharing title.
    wait_for(
        lambda: desk.query(f"{THE_LINK} AND fetch_status = 'fetched'", page_url),
        what="reading the page",
    )
    [link] = desk.query(
        "SELECT title, description, site_name FROM archive_link WHERE url = ?", page_url
    )
    assert link == (OPEN_GRAPH_TITLE, "Korean comments BERT", "GitHub")
    assert len(httpserver.log) == 1
    assert desk.query(POST_TITLES, page_url) == [(OPEN_GRAPH_TITLE, "draft")]

    steps.click(page.locator(".board-publish").get_by_role("link", name="Publish…"))
    expect(page.locator(".publication ol.going-out li")).to_have_text(
        [f"{OPEN_GRAPH_TITLE} (a draft, published now)"]
    )
    steps.click(page.get_by_role("button", name="Yes, publish"))
    expect(page.locator(".messagelist .success")).to_have_count(1)

    feed = feedparser.parse(steps.fetch("/feed/posts/"))
    assert feed.bozo == 0
    assert feed.entries[0].title == OPEN_GRAPH_TITLE
    content = feed.entries[0].content[0].value
    assert QUOTE in content
    assert f'href="{page_url}"' in content
    assert "자연어처리" in content

    with capsys.disabled():
        print(f"\nCurator's desk, bookmarklet to feed: {steps.actions} browser actions")
    assert steps.actions <= MAX_ACTIONS


def test_the_capture_form_never_waits_for_a_hanging_site(watched, desk, httpserver, capsys):
    release = threading.Event()
    reached = threading.Event()

    def hang(request):
        reached.set()
        release.wait(timeout=60)
        return Response(OPEN_GRAPH_PAGE, content_type="text/html; charset=utf-8")

    httpserver.expect_request("/slow").respond_with_handler(hang)
    slow_url = httpserver.url_for("/slow")
    context = watched(locale="en-US")
    sign_in(context, desk)
    page = context.new_page()

    def capture_form_ms(url):
        """How long the capture form took to arrive: from the request to the last byte of the
        page holding it (Navigation Timing), and to the page being ready (DOMContentLoaded,
        printed: on a shared machine the browser's own work varies most)."""
        page.goto(bookmarklet_path(url, "느린 사이트"))
        expect(page.get_by_label("Title")).to_have_value("느린 사이트")
        return page.evaluate(
            "() => { const [n] = performance.getEntriesByType('navigation');"
            " return [n.responseEnd - n.requestStart, n.domContentLoadedEventEnd - n.startTime]; }"
        )

    try:
        before_hang = [capture_form_ms(slow_url) for _ in range(2)]
        page.get_by_label("Summary").fill("느린 사이트의 글입니다.")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".messagelist .success")).to_have_count(1)
        saved_while_hanging = not release.is_set()

        # The worker, not the request, went to the site, and is held there now.
        assert reached.wait(timeout=30), "the worker never asked for the page"
        while_hanging = [capture_form_ms(f"{slow_url}?again={run}") for run in range(5)]
        still_hanging = not release.is_set()
    finally:
        release.set()

    assert saved_while_hanging
    assert still_hanging
    arrived = statistics.median(ms for ms, _ready in while_hanging)
    ready = statistics.median(ready for _ms, ready in while_hanging)
    with capsys.disabled():
        print(
            f"\nCapture form while the captured site hangs: arrives in {arrived:.0f} ms, median "
            f"of {', '.join(f'{ms:.0f}' for ms, _ready in while_hanging)} (page ready in "
            f"{ready:.0f} ms; before the site hung: "
            f"{', '.join(f'{ms:.0f}' for ms, _ready in before_hang)} ms)"
        )
    assert arrived < CAPTURE_FORM_MS


def sign_in(context, desk):
    """A signed-in session through the sign-in form, outside the measured pages."""
    page = context.new_page()
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("curator")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_be_visible()
    page.close()
