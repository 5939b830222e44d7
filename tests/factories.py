"""Test data, built the way a curator would: through the models' own save logic."""

import itertools
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from archive.accounts import two_factor
from archive.models import Link, Post, PostLink, Status, Week

_sequence = itertools.count(1)
PASSWORD = "correct horse battery staple"  # every user's, to log in through a form


def make_link(url=None, **fields):
    url = url or f"https://example.com/articles/{next(_sequence)}"
    return Link.objects.create(url=url, **fields)


def make_week(year=2021, number=5, published=False, **fields):
    if published:
        fields.setdefault("status", Status.PUBLISHED)
        fields.setdefault("published_at", timezone.now() - timedelta(hours=1))
    return Week.objects.create(year=year, number=number, **fields)


def make_post(title=None, week=None, published=False, topics=(), links=(), **fields):
    """`links` are URLs or (URL, label) pairs, kept in the given order."""
    number = next(_sequence)
    fields.setdefault("posted_on", week.start if week else date(2021, 2, 1))
    if published:
        fields.setdefault("status", Status.PUBLISHED)
        fields.setdefault("published_at", timezone.now() - timedelta(hours=1))
    post = Post.objects.create(title=title or f"Post {number}", week=week, **fields)
    if topics:
        post.topics.add(*topics)
    for position, link in enumerate(links):
        url, label = (link, "") if isinstance(link, str) else link
        PostLink.objects.create(
            post=post, link=Link.objects.for_url(url), label=label, position=position
        )
    return post


def make_published_week(year=2021, number=5, posts=3, **fields):
    """A published week with published posts, each with a source, two links and two topics."""
    week = make_week(year, number, published=True, **fields)
    for number in range(posts):
        make_post(
            week=week,
            published=True,
            source=make_link(
                f"https://www.facebook.com/groups/TensorFlowKR/permalink/{next(_sequence)}/"
            ),
            summary=f"요약 {number}: 한국어 모델을 공개했습니다.",
            commentary="좋은 소식이네요 :)",
            topics=["NLP", "자연어처리"],
            links=[
                f"https://github.com/example/repo{next(_sequence)}",
                f"https://arxiv.org/abs/2101.{next(_sequence):05d}",
            ],
        )
    return week


def make_busy_week(year, number, posts, title_prefix, topic):
    """A published week whose every post has five links and three topics: `topic`, shared by
    the whole week, and two drawn from small rotating sets shared with other weeks."""
    week = make_week(year, number, published=True)
    for number in range(posts):
        make_post(
            f"{title_prefix} {number}",
            week=week,
            published=True,
            source=make_link(),
            summary=f"> {title_prefix} 요약 {number}",
            commentary="한마디",
            topics=[topic, f"topic-{number % 10}", f"주제-{number % 7}"],
            links=[f"https://github.com/{topic}/{number}-{link}" for link in range(5)],
        )
    return week


def make_published_years(first, last):
    """Every ISO week from `first` to `last` published, each with one published post (readers
    see no week without one), in two inserts."""
    published_at = timezone.now() - timedelta(days=1)
    weeks = Week.objects.bulk_create(
        Week(year=year, number=number, status=Status.PUBLISHED, published_at=published_at)
        for year in range(first, last + 1)
        for number in range(1, date(year, 12, 28).isocalendar().week + 1)
    )
    Post.objects.bulk_create(
        Post(
            title=f"{week.iso_label} post",
            slug=f"{week.iso_label.lower()}-post",
            posted_on=week.start,
            week=week,
            status=Status.PUBLISHED,
            published_at=published_at,
        )
        for week in weeks
    )


def make_user(username="reader", staff=False, curator=False, superuser=False):
    user = get_user_model().objects.create_user(
        username=username,
        password=PASSWORD,
        is_staff=staff or curator or superuser,
        is_superuser=superuser,
    )
    if curator:
        user.groups.add(Group.objects.get(name="Curators"))
    return user


def make_two_factor(user):
    """Two-factor sign-in turned on for the user; returns (its secret, the recovery codes)."""
    secret = two_factor.new_secret()
    _device, codes = two_factor.turn_on(user, secret, time_step=-1)
    return secret, codes


def sign_in_through_the_form(user, address="203.0.113.7", password=PASSWORD):
    """A sign-in through the admin's form from `address`, as django-axes records it; returns
    the client (an English-speaking browser) and its response."""
    client = Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en")
    return client, client.post(
        reverse("admin:login"), {"username": user.get_username(), "password": password}
    )


ROUND_UP_INTRO = """이번 주도 커뮤니티에 좋은 글이 많이 올라왔습니다.

> 고르는 기준은 순전히 제 관심사입니다. 자연어처리 소식이 많아도 너그러이 봐 주세요 😅"""

ROUND_UP_OUTRO = "이번 주 정리는 여기까지입니다. 다음 주에도 재미있는 소식으로 찾아올게요!"

# A week in the style of the community's hand-written round-ups, written fresh for the tests.
ROUND_UP_POSTS = [
    {
        "title": "한국어 문장 임베딩 모델 공개",
        "posted_on": date(2021, 2, 1),
        "source": "https://www.facebook.com/groups/TensorFlowKR/permalink/2000000000000001/",
        "summary": (
            "한국어 문장 임베딩을 위한 사전학습 모델이 **깃허브**에 공개되었다고 합니다.\n\n"
            "> - 대조 학습으로 문장 유사도 과제에서 좋은 성능을 냈습니다.\n"
            "> - `pip install` 한 줄로 바로 써 볼 수 있습니다."
        ),
        "commentary": "검색 서비스를 만드시는 분들께 특히 반가운 소식이겠네요 :)",
        "topics": ["NLP", "자연어처리", "임베딩"],
        "links": [
            ("https://github.com/example-lab/ko-sentence-embedding?fbclid=IwAR0abc", "GitHub"),
            ("https://arxiv.org/abs/2104.08821", ""),
        ],
    },
    {
        "title": "머신러닝 데이터셋 목록 사이트 오픈",
        "posted_on": date(2021, 2, 3),
        "source": "https://m.facebook.com/groups/TensorFlowKR/permalink/2000000000000002/",
        "summary": (
            "논문과 코드를 함께 모아 온 사이트에서 데이터셋 목록도 정리해 공개했습니다.\n\n"
            "> 과제와 언어별로 찾아볼 수 있고, 데이터셋마다 그것을 쓴 논문을 함께 보여 줍니다."
        ),
        "commentary": "데이터셋 고를 때마다 헤매던 시간이 줄어들 것 같아요.",
        "topics": ["데이터셋"],
        "links": [("https://paperswithcode.com/datasets", "Papers with Code")],
    },
    {
        "title": "Transformer를 PyTorch로 처음부터 구현하기",
        "posted_on": date(2021, 2, 5),
        "source": "https://www.facebook.com/groups/TensorFlowKR/permalink/2000000000000003/",
        "summary": (
            "**Attention is All You Need** 논문의 구조를 코드와 함께 한 단계씩 설명한 글입니다."
        ),
        "commentary": "이론 강의와 함께 보면 훨씬 잘 이해됩니다.",
        "topics": ["NLP", "PyTorch"],
        "links": [
            ("https://example.github.io/posts/transformer-from-scratch", "원문"),
            ("https://www.youtube.com/watch?v=abcdefghijk", "세미나 영상"),
        ],
    },
]


def make_round_up_week(year=2021, number=5, **fields):
    """A published week like the community's round-ups: intro, three posts with quotes,
    sources, labelled links, comments and topics (Korean and English), and an outro."""
    fields.setdefault("title", "이번 주의 TensorflowKR 소식")
    week = make_week(
        year, number, published=True, intro=ROUND_UP_INTRO, outro=ROUND_UP_OUTRO, **fields
    )
    for item in ROUND_UP_POSTS:
        item = dict(item, source=Link.objects.for_url(item["source"]))
        make_post(week=week, published=True, **item)
    return week


def make_subscriber(email=None, status="active", language="ko", topics=()):
    """A subscriber as the double opt-in leaves it (`active`: confirmed)."""
    from archive.models import Subscriber, Topic

    now = timezone.now()
    subscriber = Subscriber.objects.create(
        email=email or f"reader{next(_sequence)}@example.org",
        status=status,
        language=language,
        requested_at=now,
        confirmed_at=now if status == "active" else None,
        ended_at=now if status in {"unsubscribed", "deactivated"} else None,
    )
    if topics:
        subscriber.topics.set(Topic.objects.filter(name__in=topics))
    return subscriber


def make_week_to_publish(year=2021, number=5, topics_per_post=(("NLP",), ("Vision",)), **fields):
    """A draft week whose draft posts all have a summary: publish_week takes them all out."""
    week = make_week(year, number, **fields)
    for position, topics in enumerate(topics_per_post):
        make_post(
            f"글 {position + 1}: {' '.join(topics)}",
            week=week,
            position=position,
            summary=f"요약 {position + 1}: [관련 글](/topics/) 과 <https://github.com/example/{position}>",
            commentary="큐레이터 한마디",
            topics=topics,
            links=[(f"https://arxiv.org/abs/2101.0000{position}", "논문")],
        )
    return week
