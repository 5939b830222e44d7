"""Test data, built the way a curator would: through the models' own save logic."""

import itertools
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from archive.models import Link, Post, PostLink, Status
from digest.models import WeeklyDigest

_sequence = itertools.count(1)


def make_link(url=None, **fields):
    url = url or f"https://example.com/articles/{next(_sequence)}"
    return Link.objects.create(url=url, **fields)


def make_digest(year=2021, week=5, published=False, **fields):
    if published:
        fields.setdefault("status", Status.PUBLISHED)
        fields.setdefault("published_at", timezone.now() - timedelta(hours=1))
    return WeeklyDigest.objects.create(year=year, week=week, **fields)


def make_post(title=None, digest=None, published=False, tags=(), links=(), **fields):
    number = next(_sequence)
    fields.setdefault("posted_on", digest.start if digest else date(2021, 2, 1))
    if published:
        fields.setdefault("status", Status.PUBLISHED)
        fields.setdefault("published_at", timezone.now() - timedelta(hours=1))
    post = Post.objects.create(title=title or f"Post {number}", digest=digest, **fields)
    if tags:
        post.tags.add(*tags)
    for position, url in enumerate(links):
        PostLink.objects.create(post=post, link=Link.objects.for_url(url), position=position)
    return post


def make_published_week(year=2021, week=5, posts=3, **fields):
    """A published week with published posts, each with a source, two links and two topics."""
    digest = make_digest(year, week, published=True, **fields)
    for number in range(posts):
        make_post(
            digest=digest,
            published=True,
            source=make_link(
                f"https://www.facebook.com/groups/TensorFlowKR/permalink/{next(_sequence)}/"
            ),
            summary=f"요약 {number}: 한국어 모델을 공개했습니다.",
            commentary="좋은 소식이네요 :)",
            tags=["NLP", "자연어처리"],
            links=[
                f"https://github.com/example/repo{next(_sequence)}",
                f"https://arxiv.org/abs/2101.{next(_sequence):05d}",
            ],
        )
    return digest


def make_user(username="reader", staff=False, curator=False, superuser=False):
    user = get_user_model().objects.create_user(
        username=username,
        password="correct horse battery staple",
        is_staff=staff or curator or superuser,
        is_superuser=superuser,
    )
    if curator:
        user.groups.add(Group.objects.get(name="Curators"))
    return user
