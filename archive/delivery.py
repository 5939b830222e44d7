"""Delivering a published week by email: each (week, subscriber) pair at most once, ever.

    publish_week (or "Send" in the admin) ─ after commit ─▶ deliver_week task
        plans: one Delivery row per active subscriber with posts to read (unique per pair, so
        planning twice adds nothing), then queues EMAIL_SENDERS send_week tasks
    send_week task, in any worker, any number at once:
        claim a due row (pending → sending, its own transaction) ─▶ SMTP ─▶ mark it sent
        4xx or no connection: pending again, tried later (backoff) by a send_week queued then
        5xx for the address: failed, and the subscriber deactivated

A worker killed between the claim and the mark leaves the row `sending`: it is never sent again
(the server may have taken the mail), and the admin shows it as interrupted. Rows not yet claimed
are sent by the other send_week task, or by the next "Send".
"""

import logging
import re
import smtplib
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as database
from django.db import connections as db_connections
from django.db import transaction
from django.utils import timezone

from archive.mail import week_edition, week_message
from archive.models import Delivery, DeliveryStatus, Subscriber, SubscriberStatus, Week
from archive.subscriptions import deactivate

logger = logging.getLogger(__name__)

ADDRESS = re.compile(r"<?[^\s<>]+@[^\s<>]+>?")
INTERRUPTED = "interrupted while sending: not tried again, so that it can never arrive twice"
LEFT = "the subscriber left before it was sent"
NO_POSTS = "none of the week's posts is about the subscriber's topics any more"


def mails_week_when_published(publication, now=None):
    """Whether publishing this week mails it: only a week readers see around now, not one of
    last year's round-ups being imported at its own time (see EMAIL_RECENT_DAYS)."""
    now = now or timezone.now()
    return publication.at >= now - timedelta(days=settings.EMAIL_RECENT_DAYS)


def queue_week_delivery(week, at=None):
    """Queue the week's delivery once the current transaction commits: at `at` when that is
    later (a week scheduled to appear then), at once otherwise."""
    from archive.tasks import deliver_week

    def enqueue():
        task = deliver_week
        if at is not None and at > timezone.now() and task.get_backend().supports_defer:
            task = task.using(run_after=at)
        task.enqueue(week.pk)

    transaction.on_commit(enqueue, robust=True)


def plan_deliveries(week):
    """A pending Delivery for every active subscriber with something to read in this week;
    pairs planned before (sent or not) are left as they are. Returns how many were added."""
    post_topics = {}
    for post_id, topic_id in week.posts.published().values_list("pk", "topics"):
        post_topics.setdefault(post_id, set()).add(topic_id)
    if not post_topics:
        return 0
    week_topics = set().union(*post_topics.values()) - {None}
    chosen = {}
    for subscriber_id, topic_id in Subscriber.topics.through.objects.filter(
        subscriber__status=SubscriberStatus.ACTIVE
    ).values_list("subscriber_id", "topic_id"):
        chosen.setdefault(subscriber_id, set()).add(topic_id)
    planned = Delivery.objects.filter(week=week).values_list("subscriber_id", flat=True)
    already = set(planned)
    now = timezone.now()
    rows = [
        Delivery(week=week, subscriber_id=subscriber_id, retry_at=now)
        for subscriber_id in Subscriber.objects.active().order_by("pk").values_list("pk", flat=True)
        if subscriber_id not in already
        and (subscriber_id not in chosen or chosen[subscriber_id] & week_topics)
    ]
    Delivery.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


# One statement claims the next due delivery of a week whose subscriber is still subscribed:
# the row is `sending` and its id returned, or nothing is. SQLite runs one writer at a time;
# PostgreSQL's SKIP LOCKED lets concurrent senders each take a different row at once.
CLAIM = """
UPDATE {delivery} SET status = %s, claimed_at = %s, attempts = attempts + 1
WHERE id = (
    SELECT {delivery}.id FROM {delivery}
    JOIN {subscriber} ON {subscriber}.id = {delivery}.subscriber_id
    WHERE {delivery}.week_id = %s AND {delivery}.status = %s AND {delivery}.retry_at <= %s
    AND {subscriber}.status = %s
    ORDER BY {delivery}.id LIMIT 1 {lock}
) AND status = %s
RETURNING id, subscriber_id, attempts
"""


def claim_next(week_id):
    """The next due delivery of the week, now `sending` and this caller's alone, or None."""
    lock = "FOR UPDATE SKIP LOCKED" if database.features.has_select_for_update_skip_locked else ""
    sql = CLAIM.format(
        delivery=Delivery._meta.db_table, subscriber=Subscriber._meta.db_table, lock=lock
    )
    now = timezone.now()
    pending, sending = DeliveryStatus.PENDING, DeliveryStatus.SENDING
    with transaction.atomic(), database.cursor() as cursor:
        cursor.execute(sql, [sending, now, week_id, pending, now, SubscriberStatus.ACTIVE, pending])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, subscriber_id, attempts = row
    return Delivery(
        pk=pk,
        week_id=week_id,
        subscriber_id=subscriber_id,
        status=sending,
        attempts=attempts,
        claimed_at=now,
    )


def close_for_those_who_left(week_id):
    """Deliveries planned for subscribers who left before their turn: never sent."""
    Delivery.objects.filter(week_id=week_id, status=DeliveryStatus.PENDING).exclude(
        subscriber__status=SubscriberStatus.ACTIVE
    ).update(status=DeliveryStatus.FAILED, error=LEFT)


def finish(delivery, status, error=""):
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status,
        error=error[:500],
        sent_at=timezone.now() if status == DeliveryStatus.SENT else None,
    )


def retry_later(delivery, error):
    """A temporary failure: pending again after a growing wait, or failed after the last try.
    A send_week is queued for that moment."""
    from archive.tasks import send_week

    if delivery.attempts >= settings.EMAIL_MAX_ATTEMPTS:
        finish(delivery, DeliveryStatus.FAILED, f"gave up after {delivery.attempts} tries: {error}")
        return
    wait = timedelta(seconds=settings.EMAIL_RETRY_SECONDS * 2 ** (delivery.attempts - 1))
    retry_at = timezone.now() + wait
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING, retry_at=retry_at, error=error[:500]
    )
    task = send_week
    if task.get_backend().supports_defer:
        task = task.using(run_after=retry_at)
        transaction.on_commit(lambda: task.enqueue(delivery.week_id), robust=True)


def smtp_answer(error):
    """(code, text) of the server's refusal, or None when there was no answer (a connection
    that broke: whether the mail arrived is then unknown)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()))
        return code, text
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code, error.smtp_error
    return None


def describe(code, text):
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


class WeekSender:
    """Sends a week's due deliveries over one mail connection, one edition rendered per
    language and topic choice."""

    def __init__(self, week):
        self.week = week
        self.editions = {}
        self.mail = None
        self.topics = {}  # subscriber id → the topics it chose, for those who chose some
        for subscriber_id, topic_id in Subscriber.topics.through.objects.filter(
            subscriber__status=SubscriberStatus.ACTIVE
        ).values_list("subscriber_id", "topic_id"):
            self.topics.setdefault(subscriber_id, set()).add(topic_id)

    def edition_for(self, subscriber):
        topic_ids = frozenset(self.topics.get(subscriber.pk, ()))
        key = (subscriber.language, topic_ids)
        if key not in self.editions:
            self.editions[key] = week_edition(self.week, subscriber.language, topic_ids)
        return self.editions[key]

    def open(self):
        if self.mail is None:
            mail = get_connection(fail_silently=False)
            mail.open()  # raises: nothing was sent, so the delivery is simply tried later
            self.mail = mail
        return self.mail

    def close(self):
        if self.mail is not None:
            try:
                self.mail.close()
            except Exception:  # a broken connection is dropped either way
                logger.debug("closing the mail connection failed", exc_info=True)
            self.mail = None

    def send(self, delivery):
        """Send one claimed delivery and mark how it went; returns its final status."""
        subscriber = Subscriber.objects.only("email", "language", "key", "status").get(
            pk=delivery.subscriber_id
        )
        edition = self.edition_for(subscriber)
        if edition is None:
            finish(delivery, DeliveryStatus.FAILED, NO_POSTS)
            return DeliveryStatus.FAILED
        try:
            mail = self.open()
        except (OSError, smtplib.SMTPException) as error:
            retry_later(delivery, f"no connection to the mail server: {error}")
            return DeliveryStatus.PENDING
        try:
            week_message(self.week, subscriber, edition, connection=mail).send()
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            answer = smtp_answer(error)
            if answer is None:
                finish(delivery, DeliveryStatus.FAILED, f"{INTERRUPTED} ({error})")
                return DeliveryStatus.FAILED
            code, reason = answer[0], describe(*answer)
            refused_sender = isinstance(error, smtplib.SMTPSenderRefused)
            if 500 <= code < 600 and not refused_sender:
                finish(delivery, DeliveryStatus.FAILED, reason)
                deactivate(subscriber.pk, reason)
                return DeliveryStatus.FAILED
            retry_later(delivery, reason)
            return DeliveryStatus.PENDING
        finish(delivery, DeliveryStatus.SENT)
        return DeliveryStatus.SENT

    def run(self):
        """Send until no delivery of the week is due, over EMAIL_CONNECTIONS connections at
        once (a mail is mostly waiting for the server's answers); returns how many were sent."""
        connections = max(1, settings.EMAIL_CONNECTIONS)
        if connections == 1:
            sent = self.send_all()
        else:
            with ThreadPoolExecutor(connections, thread_name_prefix="mail") as pool:
                sent = sum(
                    pool.map(
                        lambda _number: self.another().send_all_in_thread(), range(connections)
                    )
                )
        close_for_those_who_left(self.week.pk)
        return sent

    def another(self):
        """A sender with its own mail connection, sharing the rendered editions."""
        sender = WeekSender.__new__(WeekSender)
        sender.week, sender.editions, sender.topics, sender.mail = (
            self.week,
            self.editions,
            self.topics,
            None,
        )
        return sender

    def send_all(self):
        sent = 0
        try:
            while (delivery := claim_next(self.week.pk)) is not None:
                sent += self.send(delivery) == DeliveryStatus.SENT
        finally:
            self.close()
        return sent

    def send_all_in_thread(self):
        try:
            return self.send_all()
        finally:
            db_connections.close_all()  # this thread's own


def delivery_summary(week):
    """What the admin shows of a week's delivery to anyone who may see the week: counts per
    status, the interrupted ones apart, and the reasons of failures (no addresses)."""
    deliveries = Delivery.objects.filter(week=week)
    counts = deliveries.status_counts()
    reasons = {}
    failed = deliveries.exclude(error="").values_list("status", "error")
    for status, error in failed.order_by():
        error = ADDRESS.sub("<…>", error)  # servers often name the address they refused
        reasons[(status, error)] = reasons.get((status, error), 0) + 1
    return {
        "sent": counts.get(DeliveryStatus.SENT, 0),
        "pending": counts.get(DeliveryStatus.PENDING, 0),
        "sending": counts.get(DeliveryStatus.SENDING, 0),
        "failed": counts.get(DeliveryStatus.FAILED, 0),
        "reasons": sorted(
            ((status, error, count) for (status, error), count in reasons.items()),
            key=lambda row: -row[2],
        ),
        "subscribers": Subscriber.objects.active().count(),
    }


def week_to_send(week_id):
    return Week.objects.published().filter(pk=week_id).first()
