"""Email delivery in the admin and the commands: who sees addresses, the week's delivery, the
Send action, exporting and erasing subscribers."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from archive.models import Delivery, DeliveryStatus, Subscriber
from archive.services import publish_week
from tests.factories import make_subscriber, make_user, make_week_to_publish
from tests.html import parse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_curators_see_counts_and_reasons_but_no_address(curator_client):
    week = make_week_to_publish()
    publish_week(week)
    sent, failed = make_subscriber("sent@example.org"), make_subscriber("gone@example.org")
    Delivery.objects.create(week=week, subscriber=sent, status=DeliveryStatus.SENT)
    Delivery.objects.create(
        week=week,
        subscriber=failed,
        status=DeliveryStatus.FAILED,
        error="550 5.1.1 <gone@example.org>: Recipient address rejected",
    )
    page = parse(curator_client.get(reverse("admin:archive_week_change", args=[week.pk])))
    delivery = page.select_one(".email-delivery").get_text(" ", strip=True)
    assert "1 sent, 0 pending, 1 failed" in delivery
    assert "2 subscribers now" in delivery
    assert "Recipient address rejected" in delivery
    assert "@" not in delivery
    for name in ["subscriber", "delivery"]:
        url = reverse(f"admin:archive_{name}_changelist")
        assert curator_client.get(url).status_code == 403


def test_addresses_need_the_permission_to_view_subscribers(client):
    make_subscriber("someone@example.org")
    user = make_user("office", staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_subscriber", "view_delivery"])
    )
    client.force_login(user)
    page = parse(client.get(reverse("admin:archive_subscriber_changelist")))
    assert "someone@example.org" in page.get_text()
    assert client.get(reverse("admin:archive_delivery_changelist")).status_code == 200
    assert client.get(reverse("admin:archive_subscriber_add")).status_code == 403


def test_send_queues_a_published_week_and_never_sends_twice(
    curator_client, django_capture_on_commit_callbacks
):
    make_subscriber("reader@example.org")
    week = make_week_to_publish()
    with django_capture_on_commit_callbacks(execute=True):
        publish_week(week)
    assert len(mail.outbox) == 1
    make_subscriber("newcomer@example.org")

    for _click in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = curator_client.post(
                reverse("admin:archive_week_changelist"),
                {"action": "send_by_email", "_selected_action": [week.pk]},
                follow=True,
            )
        assert response.status_code == 200
    assert sorted(message.to[0] for message in mail.outbox) == [
        "newcomer@example.org",
        "reader@example.org",
    ]


def test_send_refuses_a_draft_week(curator_client, django_capture_on_commit_callbacks):
    make_subscriber()
    week = make_week_to_publish()
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(
            reverse("admin:archive_week_changelist"),
            {"action": "send_by_email", "_selected_action": [week.pk]},
            follow=True,
        )
    assert "is not published" in response.content.decode()
    assert mail.outbox == [] and not Delivery.objects.exists()


def test_export_subscribers_writes_the_subscribed_addresses(tmp_path):
    make_subscriber("a@example.org", language="en")
    make_subscriber("b@example.org", status="pending")
    target = tmp_path / "subscribers.csv"
    call_command("export_subscribers", output=str(target), stderr=io.StringIO())
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [(row["email"], row["language"]) for row in rows] == [("a@example.org", "en")]
    everyone = io.StringIO()
    call_command("export_subscribers", all=True, stdout=everyone, stderr=io.StringIO())
    assert "b@example.org" in everyone.getvalue()


def test_departed_addresses_are_erased_after_the_documented_period(settings):
    settings.EMAIL_ERASE_AFTER_DAYS = 30
    now = timezone.now()
    make_subscriber("staying@example.org")
    recent = make_subscriber("recent@example.org", status="unsubscribed")
    old = make_subscriber("old@example.org", status="unsubscribed")
    bounced = make_subscriber("bounced@example.org", status="deactivated")
    never = make_subscriber("never@example.org", status="pending")
    Subscriber.objects.filter(pk__in=[old.pk, bounced.pk]).update(ended_at=now - timedelta(days=31))
    Subscriber.objects.filter(pk=never.pk).update(requested_at=now - timedelta(days=40))
    Subscriber.objects.filter(pk=recent.pk).update(ended_at=now - timedelta(days=29))
    output = io.StringIO()
    call_command("erase_subscribers", stdout=output)
    assert output.getvalue().startswith("3 addresses erased")
    assert sorted(Subscriber.objects.values_list("email", flat=True)) == [
        "recent@example.org",
        "staying@example.org",
    ]


def test_a_reader_cannot_reach_the_subscriber_list():
    client = Client()
    client.force_login(make_user("reader"))
    response = client.get(reverse("admin:archive_subscriber_changelist"))
    assert response.status_code == 302
