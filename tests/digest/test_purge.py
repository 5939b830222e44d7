"""Every change a reader could see purges, after the commit, exactly the keys of the responses
showing it (digest/purge.py); a front cache that cannot be reached never fails the curator.

The front cache here is a loopback HTTP server recording what it is sent; the real one (Varnish)
is in test_front_cache.py."""

import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction

from archive.models import Link, Post, Status
from archive.services import move_posts_to_week, publish_week
from archive.weeks import IsoWeek
from digest import purge
from tests.factories import make_link, make_post, make_user, make_week

pytestmark = pytest.mark.django_db


class Recorder(BaseHTTPRequestHandler):
    def do_BAN(self):
        self.server.bans.append(set(self.headers["Surrogate-Key"].split()))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def front_cache():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.bans = []
    server.url = f"http://127.0.0.1:{server.server_port}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def purged(front_cache, settings, django_capture_on_commit_callbacks):
    """Run a change as a committed transaction with the front cache configured (the test's
    own setup wrote without one); the keys it purged."""

    def run(change):
        front_cache.bans.clear()
        settings.FRONT_CACHE_PURGE_URLS = [front_cache.url]
        try:
            with django_capture_on_commit_callbacks(execute=True):
                change()
        finally:
            settings.FRONT_CACHE_PURGE_URLS = []
        assert len(front_cache.bans) <= 1, "one purge per transaction"
        return front_cache.bans[0] if front_cache.bans else set()

    return run


@pytest.fixture
def weeks(db):
    before = make_week(number=4, published=True)
    make_post("지난주 글", week=before, published=True)  # readers see no week without a post
    week = make_week(number=5, published=True)
    first = make_post(
        "첫 글", week=week, published=True, topics=["NLP"], links=["https://a.example/"]
    )
    draft = make_post("초안", week=week, topics=["비전"])
    return before, week, first, draft


def topic(name):
    from archive.models import Topic

    return f"topic-{Topic.objects.get(name=name).pk}"


def test_publishing_a_post_purges_its_page_week_topics_and_the_lists(purged, weeks):
    _before, week, _first, draft = weeks

    keys = purged(lambda: Post.objects.filter(pk=draft.pk).publish())

    assert keys == {f"post-{draft.pk}", f"week-{week.pk}", topic("비전"), "lists"}


def test_editing_a_post_in_the_admin_purges_the_same(purged, weeks, curator_client):
    _before, week, first, _draft = weeks

    def edit():
        first.title = "고친 글"
        first.save()

    assert purged(edit) == {f"post-{first.pk}", f"week-{week.pk}", topic("NLP"), "lists"}


def test_moving_a_post_purges_the_week_it_leaves_and_the_one_it_joins(purged, weeks):
    before, week, first, _draft = weeks
    make_post("남는 글", week=week, published=True)  # a published week keeps a readable post

    keys = purged(lambda: move_posts_to_week(Post.objects.filter(pk=first.pk), IsoWeek(2021, 4)))

    assert {f"post-{first.pk}", f"week-{week.pk}", f"week-{before.pk}"} <= keys


def test_changing_a_posts_week_in_a_form_purges_both_weeks(purged, weeks):
    before, week, first, _draft = weeks

    def move():
        first.week = before
        first.save()

    assert {f"week-{week.pk}", f"week-{before.pk}"} <= purged(move)


def test_publishing_a_week_purges_it_and_the_weeks_that_now_link_to_it(purged, weeks):
    before, week, _first, _draft = weeks
    after = make_week(number=6, published=True)
    make_post("다음 주 글", week=after, published=True)
    week.status = Status.DRAFT
    week.save()

    keys = purged(lambda: publish_week(week))

    assert keys == {
        f"week-{week.pk}",
        f"week-{before.pk}",
        f"week-{after.pk}",
        topic("NLP"),
        topic("비전"),
        "lists",
    }


def test_a_topic_purges_its_page_and_every_post_showing_it(purged, weeks):
    _before, week, first, _draft = weeks
    from archive.models import Topic

    def rename():
        nlp = Topic.objects.get(name="NLP")
        nlp.name = "자연어"
        nlp.save()

    assert purged(rename) == {topic("자연어"), f"post-{first.pk}", f"week-{week.pk}", "lists"}


def test_a_link_purges_the_posts_using_it(purged, weeks):
    _before, week, first, _draft = weeks
    unused = make_link()

    def edit():
        link = Link.objects.get(normalized_url="https://a.example/")
        link.title = "A"
        link.save()

    assert purged(edit) == {f"post-{first.pk}", f"week-{week.pk}", topic("NLP"), "lists"}
    assert purged(lambda: unused.delete()) == set()  # shown nowhere


def test_adding_a_topic_to_a_post_purges_the_topic(purged, weeks):
    _before, week, first, _draft = weeks

    keys = purged(lambda: first.topics.add("새 주제"))

    assert {topic("새 주제"), f"post-{first.pk}", f"week-{week.pk}"} <= keys


def test_a_curators_name_is_everywhere(purged, weeks):
    user = make_user("curator", curator=True)

    def rename():
        user.first_name = "지민"
        user.save()

    def new_password():
        user.set_password("another secret 1234")
        user.save()

    assert purged(rename) == {"all", "lists"}
    assert purged(lambda: user.save(update_fields=["last_login"])) == set()
    assert purged(new_password) == set()
    assert purged(lambda: make_user("newcomer", curator=True)) == set()


def test_nothing_is_purged_before_the_commit_nor_after_a_rollback(front_cache, weeks, settings):
    _before, _week, _first, draft = weeks
    settings.FRONT_CACHE_PURGE_URLS = [front_cache.url]

    with transaction.atomic():
        Post.objects.filter(pk=draft.pk).publish()
        assert front_cache.bans == []
        transaction.set_rollback(True)

    assert front_cache.bans == []


def test_no_front_cache_no_purge_and_no_query(weeks, django_assert_num_queries, settings):
    settings.FRONT_CACHE_PURGE_URLS = []
    _before, _week, first, _draft = weeks

    # The save, in a savepoint (a trigger bumps the content version), and search reading what
    # it indexes of the post, unchanged (archive/search.py): nothing for purging.
    with django_assert_num_queries(9):
        first.save()


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_front_cache_is_logged_once_and_never_fails_the_curator(
    curator_client, weeks, settings, caplog, django_capture_on_commit_callbacks
):
    settings.FRONT_CACHE_PURGE_URLS = [f"http://127.0.0.1:{closed_port()}/"]
    _before, _week, first, draft = weeks
    purge.outage.down = False

    with caplog.at_level(logging.DEBUG, logger="digest.purge"):
        for post in (draft, first):
            with django_capture_on_commit_callbacks(execute=True):
                response = curator_client.post(
                    "/admin/archive/post/",
                    {"action": "publish", "_selected_action": [post.pk]},
                )
            assert response.status_code == 302

    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "front cache is unreachable" in errors[0].getMessage()
    assert Post.objects.get(pk=draft.pk).status == Status.PUBLISHED


def test_a_change_reaching_thousands_of_pages_purges_everything_at_once(
    front_cache, settings, monkeypatch
):
    settings.FRONT_CACHE_PURGE_URLS = [front_cache.url]
    monkeypatch.setattr(purge, "MAX_KEYS", 3)

    purge.purge({"post-1", "post-2"})
    purge.purge({"post-1", "post-2", "post-3", "week-1"})

    assert front_cache.bans == [{"post-1", "post-2"}, {"all"}]


def test_many_keys_go_in_several_requests(front_cache, settings, monkeypatch):
    settings.FRONT_CACHE_PURGE_URLS = [front_cache.url]
    monkeypatch.setattr(purge, "KEYS_PER_REQUEST", 2)

    purge.purge({"post-1", "post-2", "post-3"})

    assert front_cache.bans == [{"post-1", "post-2"}, {"post-3"}]


def test_merging_topics_purges_both_topics_and_the_posts_moved(weeks, purged):
    from archive.models import Topic
    from archive.services import merge_topics

    _before, week, first, draft = weeks
    other = make_post("다른 글", week=week, published=True, topics=["자연어처리"])
    merged, kept = topic("NLP"), topic("자연어처리")

    keys = purged(
        lambda: merge_topics(Topic.objects.get(name="자연어처리"), Topic.objects.filter(name="NLP"))
    )

    assert {merged, kept, f"post-{first.pk}", f"week-{week.pk}"} <= keys
    assert f"post-{draft.pk}" not in keys
    # The kept topic took the English name "NLP": the pages of its posts show it.
    assert f"post-{other.pk}" in keys


def test_reordering_a_week_purges_its_page_and_the_posts_moved(weeks, purged):
    from archive.services import order_week

    _before, week, first, draft = weeks

    keys = purged(lambda: order_week(week, [draft.pk, first.pk]))  # both were at position 0

    assert {f"week-{week.pk}", f"post-{first.pk}"} <= keys
