"""Fill an empty database with years of published weeks, fast, through bulk inserts.

Rows go in as plain tuples through the database cursor's `executemany`, with pre-rendered HTML
(a handful of Markdown bodies rendered once): 100,000 posts take seconds, where model instances
(even through `bulk_create`) take minutes. Bulk inserts send no signals, so the seeder tells
`digest.freshness` itself that the content changed.

The text varies the way a real archive does, so that search terms have realistic reach: a few
words are everywhere (모델), most appear in some posts, and each post and link has words of
its own (its number).
"""

import argparse
import os
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

BATCH = 5000
# {n} is the post's number and {word} one of WORDS, so each body matches different searches.
SUMMARIES = [
    "**{n}번째 소식**: 한국어 언어모델을 새로 공개했습니다. {word} 관련 자료도 함께 있습니다."
    "\n\n> 뉴스와 블로그, 댓글로 사전학습한 모델입니다.\n> - encoder, decoder 모두 제공\n\n"
    "자세한 내용은 https://github.com/example/models 에서 확인하세요.",
    "A new open dataset catalogue, number {n}, indexes {word} tasks, languages and licences."
    "\n\n> Search by modality and sort by citations.",
    "코드 구현 {n}: Transformer를 PyTorch로 한 줄씩 따라가며 {word}까지 설명합니다.\n\n"
    "```python\nattention = softmax(q @ k.T / d ** 0.5) @ v\n```",
]
WORDS = [
    "강화학습", "음성인식", "추천", "번역", "요약", "검색", "분류", "생성", "강의", "논문",
    "benchmark", "tokenizer", "fine-tuning", "quantization", "retrieval", "agents",
    "diffusion", "vision", "speech", "robotics", "MLOps", "GPU", "데이터", "평가", "채용",
]  # fmt: skip
COMMENTARY = "직접 구현해 보기에 좋은 자료네요 :) {word} 공부하시는 분께 추천합니다."
TOPICS = [
    "NLP", "vision", "datasets", "자연어처리", "컴퓨터비전", "데이터셋", "LLM", "speech", "RL",
    "강화학습", "추천시스템", "MLOps", "생성모델", "diffusion", "transformer", "한국어", "논문리뷰",
    "튜토리얼", "오픈소스", "채용",
]  # fmt: skip


def insert(cursor, model, columns, rows):
    """executemany in batches; `columns` are field names, `rows` tuples of database values."""
    from django.db import connection

    meta = model._meta
    names = ", ".join(connection.ops.quote_name(meta.get_field(f).column) for f in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({names}) VALUES ({placeholders})"
    )
    for start in range(0, len(rows), BATCH):
        cursor.executemany(sql, rows[start : start + BATCH])


def reset_sequences(models):
    """PostgreSQL hands out ids from sequences, which explicit ids do not advance."""
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def seed(weeks, posts_per_week=20, links_per_post=3, tags_per_post=3, extra_topics=200):
    from django.db import connection, transaction
    from django.utils.text import slugify
    from taggit.models import Tag

    from archive.models import Link, Post, PostLink, Status, TaggedPost
    from archive.normalize import detect_kind, domain_of, normalize_url
    from archive.rendering import render_markdown
    from digest import freshness
    from digest.models import WeeklyDigest
    from digest.weeks import IsoWeek

    ops = connection.ops
    seoul = ZoneInfo("Asia/Seoul")
    now = ops.adapt_datetimefield_value(datetime.now(UTC))
    # Rendering 100,000 summaries would be most of the seeding time; the number inside them
    # changes nothing a page does, so each (template, word) pair is rendered once.
    bodies = {
        (index, word): (text.format(n=0, word=word), render_markdown(text.format(n=0, word=word)))
        for index, text in enumerate(SUMMARIES)
        for word in WORDS
    }
    comments = {
        word: (text, render_markdown(text))
        for word in WORDS
        for text in [COMMENTARY.format(word=word)]
    }
    names = TOPICS + [f"topic-{number}" for number in range(extra_topics)]
    # Every seeded address is already in normal form; checked once per shape, not per row.
    shapes = {
        "https://github.com/org{a}/project-{b}": "https://github.com/org7/project-42",
        "https://arxiv.org/abs/{a}.{b:05d}": "https://arxiv.org/abs/2101.00042",
        "https://huggingface.co/datasets/org{a}/corpus-{b}": "https://huggingface.co/datasets/org7/corpus-42",
    }  # fmt: skip
    link_kinds = []
    for shape, sample in shapes.items():
        assert normalize_url(sample) == sample, sample
        link_kinds.append((shape, domain_of(sample), detect_kind(sample)))

    tags, digests, posts, links, post_links, tagged = [], [], [], [], [], []
    for number, name in enumerate(names, start=1):
        tags.append((number, name, slugify(name, allow_unicode=True)))
    week = IsoWeek(2026, 47)
    post_id = link_id = tagged_id = 0
    for digest_id in range(1, weeks + 1):
        published = ops.adapt_datetimefield_value(
            datetime.combine(week.end, clock(21), tzinfo=seoul)
        )
        intro = f"{week.korean_label} 소식입니다."
        digests.append(
            (digest_id, week.year, week.week, "", intro, f"<p>{intro}</p>", "", "",
             Status.PUBLISHED, published, now, now)
        )  # fmt: skip
        for position in range(posts_per_week):
            post_id += 1
            word = WORDS[post_id * 7 % len(WORDS)]
            summary, summary_html = bodies[(post_id % len(SUMMARIES), word)]
            commentary, commentary_html = comments[WORDS[post_id % len(WORDS)]]
            posted_on = ops.adapt_datefield_value(week.start + timedelta(days=position % 7))
            posts.append(
                (post_id, f"주간 소식 {post_id}: {word} 모델과 데이터셋 공개", f"weekly-news-{post_id}",
                 posted_on, summary, summary_html, commentary, commentary_html, digest_id, position,
                 Status.PUBLISHED, published, now, now)
            )  # fmt: skip
            for number in range(links_per_post):
                link_id += 1
                shape, domain, kind = link_kinds[number % len(link_kinds)]
                url = shape.format(a=link_id % 997, b=link_id)
                links.append((link_id, url, url, domain, kind, f"Link {link_id}: {word}", "", now))
                post_links.append((post_id, link_id, "", number))
            for number in range(tags_per_post):
                tagged_id += 1
                tag_id = (post_id * 7 + number * 13) % len(names) + 1
                tagged.append((tagged_id, post_id, tag_id))
        week = week.previous()

    with transaction.atomic(), connection.cursor() as cursor:
        insert(cursor, Tag, ["id", "name", "slug"], tags)
        insert(cursor, WeeklyDigest,
               ["id", "year", "week", "title", "intro", "intro_html", "outro", "outro_html",
                "status", "published_at", "created", "updated"], digests)  # fmt: skip
        insert(cursor, Link,
               ["id", "url", "normalized_url", "domain", "kind", "title", "description", "created"],
               links)  # fmt: skip
        insert(cursor, Post,
               ["id", "title", "slug", "posted_on", "summary", "summary_html", "commentary",
                "commentary_html", "digest", "position", "status", "published_at", "created",
                "updated"], posts)  # fmt: skip
        insert(cursor, PostLink, ["post", "link", "label", "position"], post_links)
        insert(cursor, TaggedPost, ["id", "content_object", "tag"], tagged)
        reset_sequences([Tag, WeeklyDigest, Link, Post, PostLink, TaggedPost])
        # Bulk inserts send no signals: say that readers' pages and feeds are stale.
        freshness.bump()
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
