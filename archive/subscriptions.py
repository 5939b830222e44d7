"""Subscribing to the weekly mail, with double opt-in, and leaving it (README.md, "Email delivery").

Nothing here needs a cookie or a session: a confirmation or unsubscribe link carries a token
signed with the site's secret (django.core.signing) over the subscriber's random `key`, never
the address itself. A confirmation token expires after EMAIL_CONFIRM_DAYS; an unsubscribe token
never does, so the link in a mail from years ago still works.
"""

import csv
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from archive.models import Subscriber, SubscriberStatus

CONFIRM_SALT = "jugan.subscriptions.confirm"
UNSUBSCRIBE_SALT = "jugan.subscriptions.unsubscribe"
# An address that has not confirmed gets no second confirmation mail before this has passed, however
# often the form is sent with it: the form cannot be used to flood someone's inbox.
RESEND_AFTER = timedelta(hours=24)


def confirm_token(subscriber):
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(subscriber.key)


def unsubscribe_token(subscriber):
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(subscriber.key)


def subscriber_to_confirm(token):
    """The subscriber a confirmation token names, or None for a forged, expired or stale one."""
    try:
        key = signing.TimestampSigner(salt=CONFIRM_SALT).unsign(
            token, max_age=timedelta(days=settings.EMAIL_CONFIRM_DAYS)
        )
    except signing.BadSignature:  # SignatureExpired is one
        return None
    return Subscriber.objects.filter(key=key).first()


def subscriber_to_unsubscribe(token):
    try:
        key = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Subscriber.objects.filter(key=key).first()


def normalize_address(email):
    """The address as kept: trimmed, its domain in lower case (the part before @ is the
    recipient's server's to interpret; addresses are compared without case)."""
    return BaseUserManager.normalize_email(email.strip())


def subscribe(email, *, language, topics=()):
    """Ask for a subscription; True when a confirmation mail is queued.

    The caller must answer the same whatever this returns: a new address, one waiting for its
    confirmation and one already subscribed look alike from outside. A subscribed address is
    left as it is (a stranger cannot change what it receives); one waiting gets a new mail, with
    the choices asked for now, once RESEND_AFTER has passed; one that left starts again as
    waiting.
    """
    from archive.tasks import send_confirmation

    email = normalize_address(email)
    now = timezone.now()
    try:
        with transaction.atomic():
            subscriber = Subscriber.objects.select_for_update().with_address(email).first()
            if subscriber is None:
                subscriber = Subscriber.objects.create(email=email, language=language)
            elif subscriber.is_active or (
                subscriber.status == SubscriberStatus.PENDING
                and subscriber.requested_at is not None
                and now - subscriber.requested_at < RESEND_AFTER
            ):
                return False
            subscriber.status = SubscriberStatus.PENDING
            subscriber.language = language
            subscriber.requested_at = now
            subscriber.ended_at = None
            subscriber.end_reason = ""
            subscriber.save()
            subscriber.topics.set(topics)
            transaction.on_commit(lambda: send_confirmation.enqueue(subscriber.pk), robust=True)
    except IntegrityError:  # the same address, sent twice at the same moment: one mail
        return False
    return True


def confirm(subscriber):
    """The confirmation link was followed (and its button pressed): a waiting address is
    subscribed. Following it again changes nothing; an address that has left since is not
    brought back by an old link. Returns whether the subscriber is now active."""
    updated = Subscriber.objects.filter(pk=subscriber.pk, status=SubscriberStatus.PENDING).update(
        status=SubscriberStatus.ACTIVE, confirmed_at=timezone.now()
    )
    subscriber.refresh_from_db()
    return bool(updated) or subscriber.is_active


def unsubscribe(subscriber, reason="unsubscribed by the link in a mail"):
    """No more mail to this address, from now on (mails being sent are not recalled)."""
    Subscriber.objects.filter(pk=subscriber.pk).exclude(
        status__in=[SubscriberStatus.UNSUBSCRIBED, SubscriberStatus.DEACTIVATED]
    ).update(status=SubscriberStatus.UNSUBSCRIBED, ended_at=timezone.now(), end_reason=reason)
    subscriber.refresh_from_db()


def deactivate(subscriber_id, reason):
    """The address's mail server refused it for good (a 5xx answer): never mailed again."""
    Subscriber.objects.filter(pk=subscriber_id).exclude(status=SubscriberStatus.DEACTIVATED).update(
        status=SubscriberStatus.DEACTIVATED, ended_at=timezone.now(), end_reason=reason[:500]
    )


def erase_departed(now=None):
    """Delete the addresses that left (or never confirmed) longer ago than the site keeps them
    (EMAIL_ERASE_AFTER_DAYS), with their deliveries; returns how many were erased."""
    _total, by_model = Subscriber.objects.to_erase(now).delete()
    return by_model.get("archive.Subscriber", 0)


EXPORT_FIELDS = ["email", "language", "topics", "status", "confirmed_at"]


def export_subscribers(stream, *, everyone=False):
    """The subscriber list as CSV, for a move to another system: the active subscribers, or
    `everyone` kept (waiting and left too). Returns how many rows were written."""
    subscribers = Subscriber.objects.order_by("pk").prefetch_related("topics")
    if not everyone:
        subscribers = subscribers.active()
    writer = csv.writer(stream)
    writer.writerow(EXPORT_FIELDS)
    count = 0
    for subscriber in subscribers.iterator(chunk_size=2000):
        topics = ";".join(sorted(topic.name for topic in subscriber.topics.all()))
        confirmed = subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else ""
        writer.writerow(
            [subscriber.email, subscriber.language, topics, subscriber.status, confirmed]
        )
        count += 1
    return count
