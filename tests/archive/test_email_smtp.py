"""Email delivery against a real SMTP server (aiosmtpd on loopback, tests/mail_server.py): the
whole way from the subscription form to a one-click unsubscribe, the mail as a mail client
parses it, refusals, and real worker processes killed half-way."""

import os
import re
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from archive.models import Delivery, DeliveryStatus, Subscriber, SubscriberStatus
from archive.services import publish_week
from archive.tasks import deliver_week, send_week
from tests.factories import make_subscriber, make_week_to_publish
from tests.html import parse_html
from tests.mail_server import Recorder, start

pytestmark = pytest.mark.django_db

URL = re.compile(r"https?://\S+")


def text_part(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message):
    return message.get_body(preferencelist=("html",)).get_content()


def test_confirm_subscribe_publish_receive_and_unsubscribe_in_one_click(
    client, smtp_server, django_capture_on_commit_callbacks
):
    address = "reader@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/subscribe/", {"email": address, "language": "ko"})
    assert answer.status_code == 200
    [confirmation] = smtp_server.messages_to(address)
    assert "구독" in confirmation["Subject"] or "Confirm" in confirmation["Subject"]
    confirm_url = next(
        url for url in URL.findall(text_part(confirmation)) if "/subscribe/confirm/" in url
    )
    confirm_path = urlsplit(confirm_url).path

    # The link shows a button; only its post confirms.
    assert client.get(confirm_path).status_code == 200
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING
    assert client.post(confirm_path).status_code == 200
    assert Subscriber.objects.get().status == SubscriberStatus.ACTIVE

    week = make_week_to_publish(title="한국어 임베딩 모델들")
    with django_capture_on_commit_callbacks(execute=True):
        publish_week(week)

    [confirmation_again, weekly] = smtp_server.messages_to(address)
    assert confirmation_again is confirmation
    assert weekly["Subject"] == "[Jugan 주간] 2021년 2월 1주차 — 한국어 임베딩 모델들"
    assert weekly["To"] == address
    assert weekly["Message-ID"].endswith("@testserver>")
    assert weekly["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert weekly.get_content_type() == "multipart/alternative"
    text, html = text_part(weekly), html_part(weekly)
    assert "글 1: NLP" in text and "글 2: Vision" in text
    assert "http://testserver/posts/" in text
    page = parse_html(html)
    assert page.select_one("h2 a")["href"].startswith("http://testserver/posts/")
    assert all(urlsplit(a["href"]).scheme in {"http", "https"} for a in page.select("a[href]"))
    assert page.find("img") is None
    assert "prefers-color-scheme: dark" in html

    # One click in the mail client: a POST to the https address, no cookie, no token.
    header = weekly["List-Unsubscribe"]
    [web, mailto] = re.findall(r"<([^>]+)>", header)
    assert mailto.startswith("mailto:")
    client.cookies.clear()
    response = client.post(
        urlsplit(web).path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Subscriber.objects.get().status == SubscriberStatus.UNSUBSCRIBED

    next_week = make_week_to_publish(number=6)
    with django_capture_on_commit_callbacks(execute=True):
        publish_week(next_week)
    assert len(smtp_server.messages_to(address)) == 2  # nothing more


def test_the_korean_subject_is_encoded_for_the_wire_and_decodes_back(smtp_server):
    subscriber = make_subscriber("kim@example.org")
    week = make_week_to_publish(title="이번 주 소식")
    publish_week(week)
    deliver_week.call(week.pk)
    [message] = smtp_server.messages_to("kim@example.org")
    raw = message.as_bytes()
    assert b"=?utf-8?" in raw.lower() and "이번".encode() not in raw.split(b"\n\n")[0]
    assert message["Subject"] == "[Jugan 주간] 2021년 2월 1주차 — 이번 주 소식"
    assert Delivery.objects.get(subscriber=subscriber).status == DeliveryStatus.SENT
    [wire] = smtp_server.raw
    assert wire.isascii()  # 7-bit: quoted-printable parts, encoded headers
    head, body = wire.split(b"\r\n\r\n", 1)
    assert max(len(line) for line in head.split(b"\r\n")) <= 998
    assert max(len(line) for line in body.split(b"\r\n")) <= 76  # quoted-printable
    assert b"\n" not in wire.replace(b"\r\n", b"")  # CRLF only
    assert message.defects == [] and all(not part.defects for part in message.walk())
    assert [part.get_content_type() for part in message.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]


def test_nothing_goes_to_addresses_that_did_not_confirm_or_left(smtp_server):
    make_subscriber("waiting@example.org", status="pending")
    make_subscriber("left@example.org", status="unsubscribed")
    make_subscriber("refused@example.org", status="deactivated")
    make_subscriber("reader@example.org")
    week = make_week_to_publish()
    publish_week(week)
    deliver_week.call(week.pk)
    assert [recipients for recipients, _message in smtp_server.received] == [["reader@example.org"]]


def test_a_550_answer_deactivates_the_address_and_others_still_get_theirs(smtp_server):
    gone = make_subscriber("gone@example.org")
    kept = make_subscriber("kept@example.org")
    smtp_server.refusals["gone@example.org"] = "550 5.1.1 No such user here"
    week = make_week_to_publish()
    publish_week(week)
    deliver_week.call(week.pk)

    gone.refresh_from_db()
    assert gone.status == SubscriberStatus.DEACTIVATED
    assert "550" in gone.end_reason
    failed = Delivery.objects.get(subscriber=gone)
    assert (failed.status, failed.error) == (DeliveryStatus.FAILED, "550 5.1.1 No such user here")
    assert Delivery.objects.get(subscriber=kept).status == DeliveryStatus.SENT
    assert len(smtp_server.messages_to("kept@example.org")) == 1


def test_a_4xx_answer_is_tried_again_later_and_then_delivered(smtp_server, settings):
    settings.EMAIL_RETRY_SECONDS = 60
    subscriber = make_subscriber("busy@example.org")
    smtp_server.refusals["busy@example.org"] = "451 4.3.0 Try again later"
    week = make_week_to_publish()
    publish_week(week)
    deliver_week.call(week.pk)

    delivery = Delivery.objects.get(subscriber=subscriber)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert delivery.error == "451 4.3.0 Try again later"
    assert 55 <= (delivery.retry_at - delivery.claimed_at).total_seconds() <= 65
    send_week.call(week.pk)  # before its time: not tried
    assert Delivery.objects.get(pk=delivery.pk).attempts == 1

    del smtp_server.refusals["busy@example.org"]
    Delivery.objects.filter(pk=delivery.pk).update(retry_at=delivery.claimed_at)
    send_week.call(week.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert len(smtp_server.messages_to("busy@example.org")) == 1
    subscriber.refresh_from_db()
    assert subscriber.is_active


def test_the_backoff_doubles_and_gives_up_after_the_last_attempt(smtp_server, settings):
    settings.EMAIL_RETRY_SECONDS = 10
    settings.EMAIL_MAX_ATTEMPTS = 3
    subscriber = make_subscriber("full@example.org")
    smtp_server.refusals["full@example.org"] = "452 4.2.2 Mailbox full"
    week = make_week_to_publish()
    publish_week(week)
    deliver_week.call(week.pk)
    waits = []
    for _attempt in range(3):
        delivery = Delivery.objects.get(subscriber=subscriber)
        if delivery.status != DeliveryStatus.PENDING:
            break
        if delivery.attempts:
            waits.append(round((delivery.retry_at - delivery.claimed_at).total_seconds()))
            Delivery.objects.filter(pk=delivery.pk).update(retry_at=delivery.claimed_at)
        send_week.call(week.pk)
    delivery = Delivery.objects.get(subscriber=subscriber)
    assert waits == [10, 20]
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.error.startswith("gave up after 3 tries: 452")
    assert Subscriber.objects.get(pk=subscriber.pk).is_active  # a full mailbox is no reason


# Real worker processes


WORKER_SETTINGS = "tests.mail_worker_settings"
SUBSCRIBERS = 30
KILL_AT = 10


def manage(env, *arguments, **options):
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        env=env,
        timeout=300,
        check=True,
        **options,
    )


SEED = """
from archive.models import Subscriber, SubscriberStatus
from archive.services import publish_week
from tests.factories import make_week_to_publish
Subscriber.objects.bulk_create(
    Subscriber(email=f"reader{{n}}@example.org", status=SubscriberStatus.ACTIVE) for n in range({n})
)
publish_week(make_week_to_publish())
"""


@pytest.mark.parametrize("connections", [1, 4])
def test_a_worker_killed_half_way_and_another_started_deliver_each_mail_at_most_once(
    tmp_path, connections
):
    """The mail server takes the 10th mail, then the worker sending it is killed before it
    hears the 250: the worst moment, as the row is claimed and not marked. A new worker sends
    the rest. Nobody gets two. With one connection per sender, everybody gets exactly one;
    with several, the mails the killed worker had under way on its other connections are left
    `sending` (interrupted, shown in the admin), never sent twice."""
    recorder = Recorder()
    controller = start(recorder)
    database = tmp_path / "mail.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": WORKER_SETTINGS,
        "JUGAN_WORKER_DATABASE": str(database),
        "JUGAN_SMTP_PORT": str(controller.port),
        "JUGAN_EMAIL_CONNECTIONS": str(connections),
    }
    env.pop("DATABASE_URL", None)
    try:
        manage(env, "migrate", "--no-input", "--verbosity", "0")
        manage(env, "shell", "-c", SEED.format(n=SUBSCRIBERS))
        worker_command = [sys.executable, "manage.py", "db_worker", "--no-reload"]
        first = subprocess.Popen(
            [*worker_command, "--no-startup-delay", "--interval", "0.1"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def kill_at_the_worst_moment(count):
            if count == KILL_AT:
                os.kill(first.pid, signal.SIGKILL)

        recorder.on_data = kill_at_the_worst_moment
        assert first.wait(timeout=120) == -signal.SIGKILL
        received_before_restart = len(recorder.received)
        assert KILL_AT <= received_before_restart <= KILL_AT + connections - 1

        second = manage(env, "db_worker", "--batch", "--no-startup-delay", "--no-reload")
    finally:
        controller.stop()

    recipients = Counter(
        address for addresses, _message in recorder.received for address in addresses
    )
    assert max(recipients.values()) == 1, second.stderr  # nobody got two
    with sqlite3.connect(database) as db:
        rows = dict(db.execute("SELECT subscriber_id, status FROM archive_delivery").fetchall())
        emails = dict(db.execute("SELECT id, email FROM archive_subscriber").fetchall())
    statuses = Counter(rows.values())
    interrupted = {emails[pk] for pk, status in rows.items() if status == "sending"}
    assert 1 <= len(interrupted) <= connections
    assert statuses == {"sent": SUBSCRIBERS - len(interrupted), "sending": len(interrupted)}
    # Everybody whose mail was not interrupted got it exactly once...
    everybody = {f"reader{n}@example.org" for n in range(SUBSCRIBERS)}
    assert everybody - interrupted <= set(recipients)
    # ...and the one the server took at the worst moment is among the interrupted ones.
    assert len(set(recipients) & interrupted) >= 1
    if connections == 1:
        assert set(recipients) == everybody  # exactly once, every one
    ids = [message["Message-ID"] for _addresses, message in recorder.received]
    assert len(set(ids)) == len(ids)
