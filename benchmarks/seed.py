"""Fill an empty database with years of published weeks, through `archive.services.write_weeks`,
the code that writes imported and demo weeks.

The text varies the way a real archive does, so that search terms have realistic reach: a few
words are everywhere (모델), most appear in some posts, and each post and link has words of
its own (its number).
"""

import argparse
import os
import time
from datetime import datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

# Weeks written per transaction: large enough that each batch's topics and links are looked up
# together, small enough to keep memory flat.
WEEKS_PER_BATCH = 100
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
LINK_SHAPES = [
    "https://github.com/org{a}/project-{b}",
    "https://arxiv.org/abs/{a}.{b:05d}",
    "https://huggingface.co/datasets/org{a}/corpus-{b}",
]


def archive(weeks, posts_per_week=20, links_per_post=3, topics_per_post=3, extra_topics=200):
    """The content of `weeks` published weeks, the newest being 2026-W47, as WeekContent."""
    from archive.content import LinkContent, PostContent, WeekContent
    from archive.weeks import IsoWeek

    seoul = ZoneInfo("Asia/Seoul")
    topics = TOPICS + [f"topic-{number}" for number in range(extra_topics)]
    week = IsoWeek(2026, 47)
    post_number = link_number = 0
    for _ in range(weeks):
        posts = []
        for position in range(posts_per_week):
            post_number += 1
            word = WORDS[post_number * 7 % len(WORDS)]
            links = []
            for index in range(links_per_post):
                link_number += 1
                shape = LINK_SHAPES[index % len(LINK_SHAPES)]
                url = shape.format(a=link_number % 997, b=link_number)
                links.append(LinkContent(url, f"Link {link_number}: {word}"))
            posts.append(
                PostContent(
                    title=f"주간 소식 {post_number}: {word} 모델과 데이터셋 공개",
                    posted_on=week.start + timedelta(days=position % 7),
                    summary=SUMMARIES[post_number % len(SUMMARIES)].format(n=0, word=word),
                    commentary=COMMENTARY.format(word=WORDS[post_number % len(WORDS)]),
                    links=links,
                    topics=[
                        topics[(post_number * 7 + index * 13) % len(topics)]
                        for index in range(topics_per_post)
                    ],
                )
            )
        yield WeekContent(
            week=week,
            intro=f"{week.korean_label} 소식입니다.",
            posts=posts,
            published_at=datetime.combine(week.end, clock(21), tzinfo=seoul),
        )
        week = week.previous()


def seed(weeks, posts_per_week=20):
    from archive.services import write_weeks

    batch, written = [], 0
    for content in archive(weeks, posts_per_week):
        batch.append(content)
        if len(batch) == WEEKS_PER_BATCH:
            written += sum(len(week.posts) for week in write_weeks(batch, publish=True))
            batch = []
    written += sum(len(week.posts) for week in write_weeks(batch, publish=True))
    return {"weeks": weeks, "posts": written}


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
