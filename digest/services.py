"""Writes that span the digest and its posts."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from archive.models import Post
from digest import purge
from digest.models import WeeklyDigest


def publish_with_posts(digests):
    """Publish the weeks and every post in them, together or not at all.

    Returns (weeks published, posts published).
    """
    with transaction.atomic():
        posts = Post.objects.filter(digest__in=list(digests.values_list("pk", flat=True)))
        return digests.publish(), posts.publish()


def move_posts_to_week(posts, week):
    """Append the posts, in their current order, to the end of the week (created as a draft).

    Returns the week and how many posts moved; posts already in it stay where they are.
    """
    with transaction.atomic():
        digest, _created = WeeklyDigest.objects.get_or_create(year=week.year, week=week.week)
        moving = list(
            posts.exclude(digest=digest).order_by("digest__year", "digest__week", "position", "id")
        )
        last = digest.posts.aggregate(last=Max("position"))["last"]
        start = 0 if last is None else last + 1
        # The weeks they leave: a week's Markdown names only its week (digest.http_cache).
        purge.weeks_changed({post.digest_id for post in moving})
        now = timezone.now()
        for offset, post in enumerate(moving):
            post.digest, post.position, post.updated = digest, start + offset, now
        Post.objects.bulk_update(moving, ["digest", "position", "updated"])
    return digest, len(moving)
