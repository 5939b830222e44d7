"""Background work, through Django's task API (django-tasks): queued when a transaction commits,
run by `manage.py db_worker` (README.md, "Deployment"), never inside a curator's request."""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django_tasks import task

from archive.link_metadata import MAX_BODY, FetchFailed, FetchStatus, fetch_page, read_metadata
from archive.models import Link, Post, Status, Subscriber, SubscriberStatus

logger = logging.getLogger(__name__)


def fetch_metadata_after_commit(link_ids):
    """Queue a read of each link's page once the current transaction commits (at once outside
    one), so a rolled-back link is never read and no request waits for another site."""
    link_ids = list(link_ids)
    if not link_ids or not settings.LINK_METADATA_FETCH:
        return

    def enqueue():
        for link_id in link_ids:
            fetch_link_metadata.enqueue(link_id)

    # Robust: the links are saved by then; a queue that fails loses their metadata, not them.
    transaction.on_commit(enqueue, robust=True)


def link_saved(sender, instance, created, raw=False, **kwargs):
    """post_save of Link: a new link's page is read (a restored backup's links are not)."""
    if created and not raw:
        fetch_metadata_after_commit([instance.pk])


@task()
def fetch_link_metadata(link_id):
    """Read a link's page and keep what it says in the link's empty fields, with the outcome."""
    link = Link.objects.filter(pk=link_id).first()
    if link is None:  # deleted since it was queued
        return None
    metadata, status, problem = None, FetchStatus.FETCHED, ""
    try:
        page = fetch_page(link.normalized_url)
        metadata = read_metadata(page)
        if page.truncated:
            problem = f"only the first {MAX_BODY // 2**20} MiB were read"
    except FetchFailed as failure:
        status, problem = failure.status, str(failure)
        logger.info("Link %s (%s) gave nothing: %s", link_id, link.normalized_url, problem)
    # Read again, locked: a curator may have typed into the link while its page was read.
    with transaction.atomic():
        link = Link.objects.select_for_update().filter(pk=link_id).first()
        if link is None:
            return None
        filled = link.fill_from(metadata) if metadata else []
        link.record_fetch(status, problem)
        link.save(update_fields=[*filled, "fetched_at", "fetch_status", "fetch_error"])
        if metadata:
            retitle_captured_posts(link, metadata)
    return status


def retitle_captured_posts(link, metadata):
    """Draft posts about this page still titled with its <title>, as the bookmarklet captured
    it, take the title the page gives itself for sharing (Open Graph's), which usually leaves
    out the site's name. A title a curator typed or changed differs from the page's and is
    never touched; neither is a published post, whose title readers have seen."""
    better = metadata.title[: Post._meta.get_field("title").max_length]
    if not metadata.page_title or not better or better == metadata.page_title:
        return 0
    captured = Post.objects.filter(
        Q(source=link) | Q(post_links__link=link), status=Status.DRAFT, title=metadata.page_title
    )
    # An update, not a save: `updated` stays, so a curator editing the post is not told that
    # someone else saved it; their next save keeps whichever title their form shows.
    return Post.objects.filter(pk__in=list(captured.values_list("pk", flat=True))).update(
        title=better
    )


# Email delivery (archive/delivery.py says how each mail is sent at most once).


@task()
def send_confirmation(subscriber_id):
    """The double opt-in mail, to an address still waiting for it."""
    from archive.mail import confirmation_message

    subscriber = Subscriber.objects.filter(
        pk=subscriber_id, status=SubscriberStatus.PENDING
    ).first()
    if subscriber is None:  # confirmed, left or erased since
        return False
    confirmation_message(subscriber).send()
    return True


@task()
def deliver_week(week_id):
    """Plan the week's deliveries and queue its senders; nothing for a week no longer
    published. Running it again (a retry, a second "Send") plans only the pairs not planned."""
    from archive import delivery

    week = delivery.week_to_send(week_id)
    if week is None:
        return 0
    planned = delivery.plan_deliveries(week)
    for _sender in range(settings.EMAIL_SENDERS):
        send_week.enqueue(week_id)
    return planned


@task()
def send_week(week_id):
    """Send the week's due deliveries until none is left; several run at once, in several
    workers, each claiming its own."""
    from archive import delivery

    week = delivery.week_to_send(week_id)
    if week is None:
        return 0
    return delivery.WeekSender(week).run()
