"""Fill an empty database with years of published weeks, fast, through bulk inserts.

Rows are built with explicit primary keys and pre-rendered HTML (a handful of Markdown bodies
rendered once), so 100,000 posts take seconds rather than the minutes per-row saves would.
"""

import argparse
import os
import time
from datetime import datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

BATCH = 2000
SUMMARIES = [
    "**{n}번째 소식**: 한국어 언어 모델을 새로 공개했습니다.\n\n> 뉴스와 블로그, 댓글로 사전학습한 모델입니다.\n> - encoder, decoder 모두 제공\n\n자세한 내용은 https://github.com/example/models 에서 확인하세요.",
    "A new open dataset catalogue, number {n}, indexes tasks, languages and licences.\n\n> Search by modality and sort by citations.",
    "코드 구현 {n}: Transformer를 PyTorch로 한 줄씩 따라가며 설명합니다.\n\n```python\nattention = softmax(q @ k.T / d ** 0.5) @ v\n```",
]
COMMENTARY = "직접 구현해 보기에 좋은 자료네요 :) 모델을 실제로 써 보시길 추천합니다."
TOPICS = [
    "NLP", "vision", "datasets", "자연어처리", "컴퓨터비전", "데이터셋", "LLM", "speech", "RL",
    "강화학습", "추천시스템", "MLOps", "생성모델", "diffusion", "transformer", "한국어", "논문리뷰",
    "튜토리얼", "오픈소스", "채용",
]  # fmt: skip


def seed(weeks, posts_per_week=20, links_per_post=3, tags_per_post=3, extra_topics=200):
    from django.db import transaction
    from django.utils.text import slugify
    from taggit.models import Tag

    from archive.models import Link, Post, PostLink, Status, TaggedPost
    from archive.normalize import detect_kind, domain_of, normalize_url
    from archive.rendering import render_markdown
    from digest.models import WeeklyDigest
    from digest.weeks import IsoWeek

    seoul = ZoneInfo("Asia/Seoul")
    summaries = [(text, render_markdown(text.format(n=0))) for text in SUMMARIES]
    commentary_html = render_markdown(COMMENTARY)
    names = TOPICS + [f"topic-{number}" for number in range(extra_topics)]

    with transaction.atomic():
        Tag.objects.bulk_create(
            [
                Tag(id=i + 1, name=name, slug=slugify(name, allow_unicode=True))
                for i, name in enumerate(names)
            ]
        )
        week = IsoWeek(2026, 47)
        digests, posts, links, post_links, tagged = [], [], [], [], []
        post_id = link_id = 0
        for digest_id in range(1, weeks + 1):
            published = datetime.combine(week.end, clock(21), tzinfo=seoul)
            digests.append(
                WeeklyDigest(
                    id=digest_id, year=week.year, week=week.week, status=Status.PUBLISHED,
                    published_at=published, intro=f"{week.korean_label} 소식입니다.",
                    intro_html=f"<p>{week.korean_label} 소식입니다.</p>",
                )
            )  # fmt: skip
            for position in range(posts_per_week):
                post_id += 1
                text, html = summaries[post_id % len(summaries)]
                posts.append(
                    Post(
                        id=post_id, title=f"주간 소식 {post_id}: 한국어 모델과 데이터셋 공개",
                        slug=f"weekly-news-{post_id}", posted_on=week.start + timedelta(days=position % 7),
                        summary=text.format(n=0), summary_html=html, commentary=COMMENTARY,
                        commentary_html=commentary_html, status=Status.PUBLISHED, published_at=published,
                        digest_id=digest_id, position=position,
                    )
                )  # fmt: skip
                for number in range(links_per_post):
                    link_id += 1
                    url = f"https://github.com/org{link_id % 997}/project-{link_id}"
                    if number == 1:
                        url = f"https://arxiv.org/abs/{2000 + link_id % 600}.{link_id:05d}"
                    normalized = normalize_url(url)
                    links.append(
                        Link(
                            id=link_id, url=url, normalized_url=normalized, domain=domain_of(normalized),
                            kind=detect_kind(normalized), title=f"Link {link_id}",
                        )
                    )  # fmt: skip
                    post_links.append(PostLink(post_id=post_id, link_id=link_id, position=number))
                for number in range(tags_per_post):
                    tag_id = (post_id * 7 + number * 13) % len(names) + 1
                    tagged.append(TaggedPost(content_object_id=post_id, tag_id=tag_id))
            week = week.previous()
        for model, rows in [
            (WeeklyDigest, digests), (Link, links), (Post, posts), (PostLink, post_links), (TaggedPost, tagged)
        ]:  # fmt: skip
            model.objects.bulk_create(rows, batch_size=BATCH)
    return {"weeks": weeks, "posts": post_id, "links": link_id, "topics": len(names)}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--weeks", type=int, default=260)
    parser.add_argument("--posts-per-week", type=int, default=20)
    arguments = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    import django

    django.setup()
    started = time.perf_counter()
    counts = seed(arguments.weeks, arguments.posts_per_week)
    print(f"seeded {counts} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
