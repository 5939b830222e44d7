"""In-process look at each page: SQL queries per request, response size and validators.

Run by benchmarks.run against a seeded database with BENCH_CACHE=off, so the queries counted
are those of a page rendered from the database; prints JSON on stdout.
"""

import json
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from archive.models import Post, Week

    latest = Week.objects.published().newest_first().first()
    post = Post.objects.published().filter(week=latest).in_reading_order().first()
    topic = post.topics.order_by("name").first()
    topic_path = f"/topics/{topic.slug}/"
    pages = {
        "home": "/",
        "week": latest.get_absolute_url(),
        "post": post.get_absolute_url(),
        "topic": topic_path,
        "archive": "/weeks/",
        # A two-character word in every post, and a longer one in about one post of 12.
        "search 모델": "/search/?q=%EB%AA%A8%EB%8D%B8",
        "search 강화학습": "/search/?q=%EA%B0%95%ED%99%94%ED%95%99%EC%8A%B5",
        # A topic's English name and a summary's word; two words; a particle to drop.
        "search transformer": "/search/?q=transformer",
        "search 모델 데이터셋": "/search/?q=%EB%AA%A8%EB%8D%B8+%EB%8D%B0%EC%9D%B4%ED%84%B0%EC%85%8B",
        "search 음성인식을": "/search/?q=%EC%9D%8C%EC%84%B1%EC%9D%B8%EC%8B%9D%EC%9D%84",
        "feed weeks rss": "/feed/",
        "feed weeks atom": "/feed/atom/",
        "feed weeks json": "/feed.json",
        "feed posts rss": "/feed/posts/",
        "feed posts atom": "/feed/posts/atom/",
        "feed topic rss": f"{topic_path}feed/",
        "feed topic atom": f"{topic_path}feed/atom/",
    }
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    report = {}
    for name, url in pages.items():
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        report[name] = {
            "url": url,
            "status": response.status_code,
            "queries": len(queries),
            "bytes": len(response.content),
            "etag": response.get("ETag"),
        }
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
