"""Background work: the task setup, a real worker process, and reading each new link's page
after its transaction commits (archive/tasks.py), never inside a curator's request."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from archive.content import LinkContent, PostContent, WeekContent
from archive.link_metadata import FetchStatus
from archive.models import Link, Post, Status
from archive.services import write_weeks
from archive.tasks import fetch_link_metadata
from archive.weeks import IsoWeek
from tests.factories import make_link, make_post
from tests.html import admin_form_values, parse

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
OPEN_GRAPH_PAGE = (
    '<!doctype html><html lang="ko"><head><meta charset="utf-8">'
    "<title>GitHub - Beomi/KcBERT: 한국어 댓글로 학습한 BERT</title>"
    '<meta property="og:title" content="Beomi/KcBERT">'
    '<meta property="og:description" content="Korean comments BERT">'
    '<meta property="og:site_name" content="GitHub">'
    '<meta property="og:image" content="/kcbert.png">'
    "</head><body></body></html>"
)


@pytest.fixture
def page(page_server):
    """The address of an Open Graph page on the test's own server."""
    page_server.expect_request("/kcbert").respond_with_data(
        OPEN_GRAPH_PAGE, content_type="text/html; charset=utf-8"
    )
    return page_server.url_for("/kcbert")


@pytest.fixture
def database_queue(settings):
    """Tasks queued in the database, as in production: nothing runs until a worker takes it."""
    settings.TASKS = DATABASE_QUEUE


@pytest.fixture(autouse=True)
def english(client):
    """Assertions below quote the English admin; the Korean catalogue is tested on its own."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def queued_link_ids():
    return [
        result.args_kwargs["args"][0]
        for result in DBTaskResult.objects.filter(task_path="archive.tasks.fetch_link_metadata")
    ]


# The setup


def test_tests_run_tasks_at_once():
    assert settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SKIP LOCKED is PostgreSQL's; SQLite locks it all"
)
def test_workers_claim_a_task_with_skip_locked_so_no_two_run_it():
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        DBTaskResult.objects.ready().get_locked()
    assert "FOR UPDATE SKIP LOCKED" in queries[-1]["sql"]


def test_a_real_worker_process_reads_a_new_links_page(tmp_path, page_server):
    """`manage.py db_worker`, as `make run` starts it, against a database file: a link created
    in one process is read by the worker in another."""
    page_server.expect_request("/kcbert").respond_with_data(
        OPEN_GRAPH_PAGE, content_type="text/html; charset=utf-8"
    )
    database = tmp_path / "worker.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "JUGAN_WORKER_DATABASE": str(database),
        "JUGAN_WORKER_PAGE_PORT": str(page_server.port),
    }
    env.pop("DATABASE_URL", None)

    def manage(*arguments):
        return subprocess.run(
            [sys.executable, "manage.py", *arguments],
            capture_output=True,
            text=True,
            cwd=settings.BASE_DIR,
            env=env,
            timeout=300,
            check=True,
        )

    manage("migrate", "--no-input", "--verbosity", "0")
    url = page_server.url_for("/kcbert")
    manage("shell", "-c", f"from archive.models import Link; Link.objects.create(url={url!r})")
    with sqlite3.connect(database) as db:
        [(status,)] = db.execute("SELECT status FROM django_tasks_database_dbtaskresult")
    assert status == "READY"
    assert page_server.log == []  # queued, not read

    worker = manage("db_worker", "--batch", "--no-startup-delay", "--no-reload")

    with sqlite3.connect(database) as db:
        [(status,)] = db.execute("SELECT status FROM django_tasks_database_dbtaskresult")
        [link] = db.execute("SELECT title, site_name, fetch_status FROM archive_link")
    assert status == "SUCCESSFUL", worker.stdout + worker.stderr
    assert link == ("Beomi/KcBERT", "GitHub", "fetched")
    assert len(page_server.log) == 1


def test_make_run_starts_a_worker_beside_the_server_and_stops_it_with_it():
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "$(WITH_TASK_WORKERS)" in run and "runserver" in run
    assert "manage.py db_worker" in makefile
    assert "trap 'kill $$workers" in makefile


# Every way a link is created queues a read of its page, after the commit


def test_a_link_saved_in_a_transaction_is_queued_when_it_commits(
    page, database_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        link = Link.objects.create(url=page)
        assert queued_link_ids() == []
    # One read queued (the other callbacks refresh what readers see: topic counts, fragments).
    reads = [each for each in callbacks if "fetch_metadata" in getattr(each, "__qualname__", "")]
    assert len(reads) == 1
    assert queued_link_ids() == [link.pk]


def test_a_rolled_back_link_is_never_read(page, database_queue):
    with pytest.raises(RuntimeError), transaction.atomic():
        Link.objects.create(url=page)
        raise RuntimeError
    assert queued_link_ids() == []


def test_the_post_form_queues_its_links_and_never_reads_a_page_in_the_request(
    page, page_server, database_queue, curator_client, django_capture_on_commit_callbacks
):
    values = admin_form_values(curator_client.get(reverse("admin:archive_post_add")))
    values.update(
        {
            "title": "KcBERT",
            "posted_on": "2021-02-02",
            "source_url": "https://www.facebook.com/groups/TensorFlowKR/permalink/1/",
            "post_links-0-url": page,
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(reverse("admin:archive_post_add"), values)

    assert response.status_code == 302
    assert page_server.log == []  # the request read no page
    assert sorted(queued_link_ids()) == sorted(Link.objects.values_list("pk", flat=True))
    assert len(queued_link_ids()) == 2


def test_the_link_form_queues_its_link(
    page, database_queue, curator_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(reverse("admin:archive_link_add"), {"url": page})
    assert response.status_code == 302
    assert queued_link_ids() == [Link.objects.get().pk]


def test_writing_weeks_queues_only_the_new_links(
    database_queue, settings, django_capture_on_commit_callbacks
):
    settings.LINK_METADATA_FETCH = True
    known = make_link("https://github.com/known/repo")
    DBTaskResult.objects.all().delete()
    content = WeekContent(
        week=IsoWeek(2021, 5),
        posts=[
            PostContent(
                title="Two links",
                posted_on=IsoWeek(2021, 5).start,
                links=[
                    LinkContent("https://github.com/known/repo"),
                    LinkContent("https://github.com/new/repo"),
                ],
            )
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        write_weeks([content])

    assert queued_link_ids() == [Link.objects.get(normalized_url="https://github.com/new/repo").pk]
    assert known.pk not in queued_link_ids()


def test_nothing_is_queued_when_reading_pages_is_off(
    database_queue, settings, django_capture_on_commit_callbacks
):
    settings.LINK_METADATA_FETCH = False
    with django_capture_on_commit_callbacks(execute=True):
        make_link()
    assert queued_link_ids() == []


def test_a_restored_backup_reads_no_pages(
    database_queue, settings, tmp_path, django_capture_on_commit_callbacks
):
    from archive.services import restore_backup, write_backup

    make_post(links=["https://github.com/a/b"])
    backup = tmp_path / "site.json"
    with backup.open("w") as stream:
        write_backup(stream)
    settings.LINK_METADATA_FETCH = True
    with django_capture_on_commit_callbacks(execute=True):
        restore_backup(backup, replace=True)
    assert queued_link_ids() == []


# The task


def test_the_task_fills_only_empty_fields_and_keeps_the_outcome(page, settings):
    settings.LINK_METADATA_FETCH = False  # created without a read; the task is run below
    link = make_link(page, title="The curator's words")
    fetch_link_metadata.call(link.pk)

    link.refresh_from_db()
    assert link.title == "The curator's words"
    assert link.description == "Korean comments BERT"
    assert link.site_name == "GitHub"
    assert link.image_url == page.replace("/kcbert", "/kcbert.png")
    assert link.language == "ko"
    assert link.fetch_status == FetchStatus.FETCHED
    assert link.fetched_at is not None
    assert link.fetch_error == ""


def test_a_page_that_gives_nothing_leaves_the_fields_and_says_why(page_server):
    page_server.expect_request("/gone").respond_with_data(
        '<title>Not found</title><meta property="og:title" content="404 Not Found">',
        status=404,
        content_type="text/html",
    )
    with transaction.atomic():
        link = make_link(page_server.url_for("/gone"))
    fetch_link_metadata.call(link.pk)

    link.refresh_from_db()
    assert link.title == ""
    assert link.fetch_status == FetchStatus.FAILED
    assert link.fetch_error == "HTTP 404"


def test_a_refused_address_is_kept_as_refused(settings):
    link = make_link("http://10.0.0.1/admin")  # queues nothing: page reading is off in tests
    settings.LINK_METADATA_FETCH = True
    fetch_link_metadata.call(link.pk)
    link.refresh_from_db()
    assert link.fetch_status == FetchStatus.REFUSED
    assert "10.0.0.1 is private" in link.fetch_error


def test_the_task_for_a_deleted_link_does_nothing():
    assert fetch_link_metadata.call(987654) is None


def test_a_draft_still_titled_as_captured_takes_the_pages_own_title(page, settings):
    settings.LINK_METADATA_FETCH = False
    captured = "GitHub - Beomi/KcBERT: 한국어 댓글로 학습한 BERT"
    as_captured = make_post(captured, links=[page])
    typed = make_post("KcBERT, a BERT for Korean comments", links=[page])
    published = make_post(captured, links=[page], published=True)

    fetch_link_metadata.call(Link.objects.get(normalized_url=page).pk)

    as_captured.refresh_from_db()
    assert as_captured.title == "Beomi/KcBERT"
    assert Post.objects.get(pk=typed.pk).title == "KcBERT, a BERT for Korean comments"
    assert Post.objects.get(pk=published.pk).title == captured
    assert Post.objects.get(pk=published.pk).status == Status.PUBLISHED


# The admin


def test_the_link_list_and_page_show_what_was_read(curator_client, settings):
    link = make_link("https://github.com/a/b", title="a/b")
    link.record_fetch(FetchStatus.FAILED, "HTTP 503")
    link.save()
    make_link("https://github.com/c/d")

    page = parse(curator_client.get(reverse("admin:archive_link_changelist")))
    statuses = [cell.get_text() for cell in page.select("td.field-page_status")]
    assert sorted(statuses) == ["Could not be read", "Not read yet"]

    change = parse(curator_client.get(reverse("admin:archive_link_change", args=[link.pk])))
    assert "HTTP 503" in change.get_text()
    assert change.find("input", attrs={"name": "site_name"}) is not None


def test_fetch_again_queues_the_selected_links(
    curator_client, database_queue, settings, django_capture_on_commit_callbacks
):
    links = [make_link(), make_link()]
    settings.LINK_METADATA_FETCH = True
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(
            reverse("admin:archive_link_changelist"),
            {"action": "fetch_again", "_selected_action": [link.pk for link in links]},
            follow=True,
        )
    assert response.status_code == 200
    assert sorted(queued_link_ids()) == sorted(link.pk for link in links)


def test_fetch_again_says_when_pages_are_not_read(curator_client, database_queue):
    link = make_link()
    response = curator_client.post(
        reverse("admin:archive_link_changelist"),
        {"action": "fetch_again", "_selected_action": [link.pk]},
        follow=True,
    )
    assert "LINK_METADATA_FETCH" in response.content.decode()
    assert queued_link_ids() == []
