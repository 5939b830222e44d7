"""Search (archive/search.py): what it finds, in which order, on every engine, and an index
that follows every write.

CI runs this file on SQLite and on PostgreSQL (DATABASE_URL): both must give exactly the
results and order of RELEVANCE, a table fixed here, and of a plain scan of every published
post and week written in this file (`scanned`)."""

import random
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from archive import search
from archive.content import LinkContent, PostContent, WeekContent
from archive.models import (
    Link,
    Post,
    PostLink,
    PostTopic,
    SearchDocument,
    SearchPosting,
    Status,
    Topic,
    Week,
)
from archive.services import restore_backup, write_backup, write_weeks
from archive.weeks import IsoWeek
from tests.factories import make_link, make_post, make_week
from tests.html import admin_form_values

pytestmark = pytest.mark.django_db

OLDER, NEWER = IsoWeek(2021, 46), IsoWeek(2021, 47)


@pytest.fixture
def library(db):
    """Published posts in two weeks, a draft and a scheduled post, and both weeks as results."""
    older = make_week(
        OLDER.year,
        OLDER.number,
        published=True,
        intro="이번 주는 **강화학습** 특집입니다.",
        outro="다음 주에 만나요.",
    )
    newer = make_week(
        NEWER.year,
        NEWER.number,
        published=True,
        title="언어모델 주간",
        intro="한국어 언어모델과 형태소 분석기 소식이 한꺼번에 올라온 주입니다.",
        outro="> 다음 주에는 transformer 구현 이야기를 이어 갑니다.",
    )
    day = NEWER.start
    items = {
        "llm": make_post(
            "한국어 언어모델 공개",
            week=newer,
            published=True,
            posted_on=day + timedelta(days=4),
            summary="KoGPT **Transformer** 기반\n\n> 뉴스로 사전학습했습니다.",
            commentary="정말 반가운 모델",  # two characters at the very end of a value
            topics=["자연어처리"],
        ),
        "vit": make_post(
            "코드로 읽는 비전 트랜스포머 (ViT, CLIP)",
            week=newer,
            published=True,
            posted_on=day + timedelta(days=3),
            summary="이미지를 패치로 잘라 토큰처럼 다루는 ViT를 구현한 글입니다.",
            topics=["트랜스포머", "컴퓨터비전"],
        ),
        "paper": make_post(
            "Attention 논문 리뷰",
            week=newer,
            published=True,
            posted_on=day + timedelta(days=2),
            summary="언어모델의 뿌리가 된 논문을 읽었습니다.",
            links=["https://arxiv.org/abs/1706.03762", "https://ko.wikipedia.org/wiki/자연어_처리"],
        ),
        "morph": make_post(
            "형태소 분석기 비교",
            week=newer,
            published=True,
            posted_on=day + timedelta(days=1),
            summary="Mecab과 Khaiii를 같은 말뭉치로 견주었습니다.",
            commentary="형태소를 나누는 기준이 저마다 다릅니다.",
            topics=["자연어처리"],
        ),
        "rl": make_post(
            "강화학습 튜토리얼",
            week=older,
            published=True,
            posted_on=OLDER.start + timedelta(days=2),
            summary="100% 무료 강의, C++ 예제와 모델 저장까지",
            links=[("https://github.com/example/rl-course", "예제 코드")],
            topics=["강화학습"],
        ),
        "dataset": make_post(
            "데이터셋 모음",
            week=older,
            published=True,
            posted_on=OLDER.start + timedelta(days=1),
            summary='"quoted" words, a_b and NEAR(x y) OR z*',
            source=make_link("https://www.facebook.com/groups/TensorFlowKR/permalink/42/"),
            commentary="전문가용 데이터셋은 아닙니다.",
        ),
        "older-llm": make_post(
            "영어 언어모델 소개",
            week=older,
            published=True,
            posted_on=OLDER.start,
            summary="GPT 계열 모델을 정리했습니다.",
        ),
        "draft": make_post("모델 초안", week=newer, posted_on=day, summary="언어모델 초안"),
        "scheduled": make_post(
            "예약된 모델 소식",
            week=newer,
            posted_on=day,
            status=Status.PUBLISHED,
            published_at=timezone.now() + timedelta(days=1),
        ),
    }
    Topic.objects.filter(name="트랜스포머").update(name_en="Transformer")
    Topic.objects.filter(name="자연어처리").update(name_en="Natural language processing")
    Topic.objects.filter(name="컴퓨터비전").update(name_en="Computer vision")
    items["week-older"], items["week-newer"] = older, newer
    return items


def names(library, refs):
    by_ref = {
        ("week" if isinstance(item, Week) else "post", item.pk): name
        for name, item in library.items()
    }
    return [by_ref[ref] for ref in refs]


def found(query, topic=None):
    posts, weeks = Post.objects.published(), Week.objects.published()
    if topic:
        posts, weeks = posts.filter(topics__name=topic), None
    return search.find(query, posts, weeks)


# Each query and what it must find, best first: the title's matches, then the summary's, then
# the rest's (quotes, comments, links, topics; a week's outro), newer first within each.
RELEVANCE = [
    ("모델", ["week-newer", "llm", "older-llm", "paper", "rl"]),  # 2 characters, in words
    ("언어모델", ["week-newer", "llm", "older-llm", "paper"]),
    ("형태소", ["morph", "week-newer"]),  # a week's intro is found like a summary
    ("형태소를", ["morph", "week-newer"]),  # the particle dropped
    ("모델을", ["week-newer", "llm", "older-llm", "paper", "rl"]),
    ("언어모델과", ["week-newer", "llm", "older-llm", "paper"]),
    ("강화학습은", ["rl", "week-older"]),  # the week's intro is a summary: after a title
    ("전문가", ["dataset"]),  # 가 after a final consonant is no particle: kept
    ("transformer", ["llm", "week-newer", "vit"]),  # summary; outro (a Sunday), topic
    ("TRANSFORMER kogpt", ["llm"]),  # any case, every word
    ("트랜스포머", ["vit"]),
    ("natural language", ["llm", "morph"]),  # a topic's English name: the rest, newer first
    ("computer vision", ["vit"]),
    ("attention 논문", ["paper"]),  # English and Korean, both in the title
    ("언어모델 논문", ["paper"]),  # one in the title, one in the summary
    ("비전 vit", ["vit"]),
    ("KoGPT 모델", ["llm"]),  # one in the title, one in the summary
    ("ViT 트랜스포머", ["vit"]),
    ("모", ["week-newer", "llm", "dataset", "older-llm", "paper", "rl"]),  # one character
    ("강화", ["rl", "week-older"]),
    ("예제", ["rl"]),  # the summary and a link label
    ("코드", ["vit", "rl"]),  # a title, then a link label
    ("rl-course", ["rl"]),  # a link address
    ("100%", ["rl"]),  # LIKE's wildcards are plain characters
    ("C++", ["rl"]),
    ("a_b", ["dataset"]),
    ('"quoted"', ["dataset"]),
    ("NEAR(x", ["dataset"]),
    ("z*", ["dataset"]),
    ("tensorflowkr", ["dataset"]),  # the source's address
    ("permalink/42", ["dataset"]),
    ("1706.03762", ["paper"]),
    ("자연어_처리", ["paper"]),  # a Korean address as pasted
    ("사전학습", ["llm"]),  # a quotation
    ("반가운", ["llm"]),  # a comment
    ("다음", ["week-newer", "week-older"]),  # outros
    ("공개모델", []),  # no match across the end of one field and the start of the next
    ("모음 리뷰", []),  # every word, in the same post
    ("초안", []),  # drafts are never found
    ("예약된", []),  # …nor what is scheduled for later
    ("없는말", []),
    ("zz", []),
]


def test_every_database_finds_the_same_results_in_the_same_order(library):
    """One table for every engine; all of it at once, so a failure shows every difference."""
    answers = {query: found(query) for query, _expected in RELEVANCE}

    assert {query: names(library, answer.results) for query, answer in answers.items()} == dict(
        RELEVANCE
    )
    assert not any(answer.more for answer in answers.values())


def test_the_relevance_table_is_checked_on_at_least_twenty_queries():
    korean = [q for q, _ in RELEVANCE if any("가" <= c <= "힣" for c in q)]
    english = [q for q, _ in RELEVANCE if q.isascii()]
    two_characters = [q for q, _ in RELEVANCE if len(q) == 2]
    particles = [q for q, _ in RELEVANCE if search.without_particle(q) != q]
    mixed = [
        q for q, _ in RELEVANCE if not q.isascii() and any(c.isascii() and c.isalpha() for c in q)
    ]
    assert len(RELEVANCE) >= 20
    assert all(len(kind) >= 3 for kind in (korean, english, two_characters, particles, mixed))


def test_a_topic_narrows_the_search_to_its_posts(library):
    assert names(library, found("모델", topic="자연어처리").results) == ["llm"]
    assert names(library, found("형태소", topic="자연어처리").results) == ["morph"]


@pytest.mark.parametrize(
    ("word", "bare"),
    [
        ("형태소를", "형태소"),
        ("모델을", "모델"),
        ("모델이", "모델"),
        ("데이터가", "데이터"),
        ("데이터셋으로", "데이터셋"),
        ("파이썬으로", "파이썬"),
        ("서울로", "서울"),  # ㄹ takes 로
        ("학습에서는", "학습"),
        ("모델과", "모델"),
        ("데이터와", "데이터"),
        ("트랜스포머의", "트랜스포머"),
        ("모델까지", "모델"),
        ("전문가", "전문가"),  # after 문 the particle would be 이
        ("강의", "강의"),  # one syllable would be left
        ("모델는", "모델는"),  # 는 follows a vowel only
        ("파이썬로", "파이썬로"),
        ("transformer", "transformer"),
    ],
)
def test_a_particle_is_dropped_only_where_korean_would_put_it(word, bare):
    assert search.without_particle(word) == bare


def test_text_is_compared_normalised():
    assert search.query_terms("ＫｏＧＰＴ  Straße ﬁne") == ["kogpt", "strasse", "fine"]
    decomposed = "모델".encode().decode()  # as typed
    assert search.normalize("\u1106\u1169\u1103\u1166\u11af") == decomposed  # jamo composed


# The index answers as a plain scan would, whatever the size and order of what it holds.


def scanned(query, posts=None, weeks=None):
    """What a search must find, by reading every document: published ones holding every word,
    by rank, newer first, the higher id first."""
    terms = search.query_terms(query)
    posts = Post.objects.published() if posts is None else posts
    weeks = Week.objects.published() if weeks is None else weeks
    visible_posts = set(posts.values_list("pk", flat=True))
    visible_weeks = set(weeks.values_list("pk", flat=True))
    ranked = []
    for document in SearchDocument.objects.all():
        kind, ref = ("post", document.post_id) if document.post_id else ("week", document.week_id)
        if ref not in (visible_posts if kind == "post" else visible_weeks):
            continue
        texts = (document.title, document.summary, document.rest)
        ranks = []
        for term in terms:
            where = [rank for rank, text in enumerate(texts) if term in text]
            ranks.append(where[0] if where else None)
        if None not in ranks:
            ranked.append((-max(ranks), (document.day, kind == "week", ref), (kind, ref)))
    ranked.sort(reverse=True)
    return [ref for _rank, _key, ref in ranked]


WORDS = ["모델", "언어모델", "데이터", "강화학습", "transformer", "GPU", "비전", "튜닝", "검색"]


@pytest.fixture
def many(db):
    """Forty weeks of posts of random words in random places, some of them drafts."""
    chooser = random.Random(14)

    def words():
        return " ".join(chooser.choice(WORDS) for _ in range(chooser.randint(0, 3)))

    contents = []
    week = IsoWeek(2024, 30)
    for number in range(40):
        posts = [
            PostContent(
                title=f"{number}-{index} {words()}",
                posted_on=week.start + timedelta(days=chooser.randint(0, 6)),
                summary=f"요약 {words()}",
                commentary=words(),
                links=[LinkContent(f"https://example.com/{number}/{index}", words())],
                topics=[chooser.choice(WORDS)],
            )
            for index in range(chooser.randint(1, 6))
        ]
        contents.append(WeekContent(week=week, title=words(), intro=words(), posts=posts))
        week = week.previous()
    write_weeks(contents, publish=True)
    drafts = Post.objects.order_by("pk")[::7]
    Post.objects.filter(pk__in=[post.pk for post in drafts]).unpublish()
    Week.objects.filter(pk__in=[week.pk for week in Week.objects.order_by("pk")[::11]]).unpublish()


@pytest.mark.parametrize(
    "query",
    ["모델", "언어모델", "모델 데이터", "강화학습 gpu", "transformer", "모", "튜닝 비전 검색"],
)
@pytest.mark.parametrize("limit", [5, 1000])
def test_the_index_finds_what_a_scan_of_every_document_finds(many, monkeypatch, query, limit):
    """Small reading rounds, so that every search takes several."""
    monkeypatch.setattr(search, "RESULTS_LIMIT", limit)
    monkeypatch.setattr(search, "FIRST_ROWS", 2)
    monkeypatch.setattr(search, "FIRST_CANDIDATES", 3)
    monkeypatch.setattr(search, "GROWTH", 2)
    expected = scanned(query)

    result = found(query)

    assert result.results == expected[:limit]
    assert result.more == (len(expected) > limit)


def test_a_rebuilt_index_is_the_index_kept_write_by_write(many):
    def contents():
        documents = SearchDocument.objects.values_list(
            "post_id", "week_id", "day", "bucket", "title", "summary", "rest"
        )
        by_id = {row.pk: (row.post_id, row.week_id) for row in SearchDocument.objects.all()}
        postings = {
            (gram, tier, bucket, tuple(sorted((by_id[int(pk)] for pk in pks.split()), key=str)))
            for gram, tier, bucket, pks in SearchPosting.objects.values_list(
                "gram", "tier", "bucket", "documents"
            )
        }
        return set(documents), postings

    kept = contents()
    search.rebuild()

    assert contents() == kept
    assert len(kept[1]) > 0


# The index follows every write.


def post_found(query, post):
    return ("post", post.pk) in search.find(query, Post.objects.all(), None).results


def rename_topic(post):
    topic = post.topics.get()
    topic.name_en = "Reinforcement learning"
    topic.save()


WRITES = {
    "a title saved": (lambda post: setattr(post, "title", "새 제목") or post.save(), "새 제목"),
    "a title updated in bulk": (lambda post: Post.objects.update(title="새 제목"), "새 제목"),
    "a summary saved": (
        lambda post: setattr(post, "summary", "바뀐 요약") or post.save(),
        "바뀐 요약",
    ),
    "a link added": (
        lambda post: PostLink.objects.create(post=post, link=make_link("https://new.example/")),
        "new.example",
    ),
    "a label changed in bulk": (
        lambda post: PostLink.objects.update(label="발표 자료"),
        "발표 자료",
    ),
    "a link retitled in bulk": (
        lambda post: Link.objects.filter(post_links__post=post).update(title="Retitled"),
        "retitled",
    ),
    "a link retitled and saved": (
        lambda post: [
            setattr(link, "title", "Saved title") or link.save() for link in post.links.all()
        ],
        "saved title",
    ),
    "a topic added": (lambda post: post.topics.add("새주제"), "새주제"),
    "a topic renamed": (rename_topic, "reinforcement"),
    "a topic renamed in bulk": (
        lambda post: Topic.objects.update(name_en="Bulk English"),
        "bulk english",
    ),
    "a post moved to another date": (
        lambda post: Post.objects.filter(pk=post.pk).update(posted_on=date(2020, 1, 1)),
        "옛 제목",
    ),
}


@pytest.mark.parametrize(("write", "query"), WRITES.values(), ids=WRITES.keys())
def test_the_index_follows_every_write(db, write, query):
    post = make_post(
        "옛 제목",
        summary="옛 요약",
        links=[("https://old.example/", "옛 라벨")],
        topics=["강화학습"],
    )
    other = make_post("다른 글", posted_on=date(2021, 3, 1))

    write(post)
    post.refresh_from_db()

    assert post_found(query, post)
    assert scanned(query, Post.objects.all(), Week.objects.none()) == (
        search.find(query, Post.objects.all(), None).results
    )
    assert not post_found("옛 라벨", other)


REMOVALS = {
    "a link of a post deleted": (
        lambda post: PostLink.objects.filter(post=post).delete(),
        "old.example",
    ),
    "a topic removed": (lambda post: post.topics.remove("강화학습"), "강화학습"),
    "a topic deleted": (lambda post: Topic.objects.filter(name="강화학습").delete(), "강화학습"),
    "a topic's English name removed": (
        lambda post: Topic.objects.update(name_en=""),
        "reinforcement",
    ),
    "a title changed": (lambda post: Post.objects.update(title="새 제목"), "낡은"),
}


@pytest.mark.parametrize(("write", "query"), REMOVALS.values(), ids=REMOVALS.keys())
def test_what_is_gone_is_no_longer_found(db, write, query):
    post = make_post("낡은 제목", links=[("https://old.example/", "옛 라벨")], topics=["강화학습"])
    Topic.objects.update(name_en="Reinforcement learning")
    assert post_found(query, post)

    write(post)

    assert not post_found(query, post)


def test_a_deleted_post_leaves_nothing_in_the_index(db):
    post = make_post("지울 글", summary="지울 요약", topics=["주제"])
    bucket = post.search_document.bucket

    pk = post.pk
    post.delete()

    assert not SearchDocument.objects.filter(post_id=pk).exists()
    assert not SearchPosting.objects.filter(bucket=bucket).exists()


def test_a_week_is_indexed_as_it_is_saved_and_deleted(db):
    week = make_week(published=True, intro="형태소 특집")
    make_post("글", week=week, published=True)
    week.outro = "다음 주에 만나요"
    week.save()

    assert ("week", week.pk) in found("만나요").results
    assert ("week", week.pk) in found("형태소를").results

    Week.objects.filter(pk=week.pk).update(title="새 이름")
    assert ("week", week.pk) in found("새 이름").results

    pk = week.pk
    week.delete()
    assert not SearchDocument.objects.filter(week_id=pk).exists()
    assert found("만나요").results == []


def test_an_imported_week_is_indexed_in_one_pass(db, django_assert_max_num_queries):
    content = WeekContent(
        week=IsoWeek(2021, 5),
        title="가져온 주간",
        intro="가져온 소개",
        posts=[
            PostContent(
                title=f"가져온 글 {number}",
                posted_on=date(2021, 2, 1),
                summary="가져온 요약",
                links=[LinkContent(f"https://example.com/{number}", "가져온 라벨")],
                topics=["가져온주제"],
            )
            for number in range(30)
        ],
    )
    with django_assert_max_num_queries(120):
        write_weeks([content], publish=True)

    assert len(found("가져온").results) == 31
    assert names_of(found("가져온 라벨").results) == {"post"}


def names_of(refs):
    return {kind for kind, _pk in refs}


def test_a_restored_backup_is_indexed(db, tmp_path):
    week = make_week(published=True, intro="백업한 소개")
    post = make_post(
        "백업한 글", week=week, published=True, links=[("https://b.example/", "백업 라벨")]
    )
    backup = tmp_path / "backup.json"
    with backup.open("w") as stream:
        write_backup(stream)

    restore_backup(backup, replace=True)

    assert set(found("백업").results) == {("post", post.pk), ("week", week.pk)}
    assert found("라벨").results == [("post", post.pk)]


def test_a_database_without_the_index_gets_it_after_migrating(db):
    post = make_post("색인 없이", published=True, week=make_week(published=True))
    SearchPosting.objects.all().delete()
    SearchDocument.objects.all().delete()
    assert search.is_missing(connection)

    call_command("migrate", verbosity=0)

    assert not search.is_missing(connection)
    assert found("색인").results == [("post", post.pk)]


# Reading the index.


def test_a_search_reads_a_fixed_number_of_queries_however_many_match(
    db, django_assert_max_num_queries
):
    week = make_week(published=True)
    Post.objects.bulk_create(
        Post(
            title=f"모델 {number}",
            slug=f"model-{number}",
            posted_on=date(2021, 1, 1) - timedelta(days=number),
            week=week,
            status=Status.PUBLISHED,
            published_at=timezone.now() - timedelta(hours=1),
        )
        for number in range(600)
    )
    with django_assert_max_num_queries(2):
        result = found("모델")
    with django_assert_max_num_queries(5):
        found("모델 1")

    assert len(result.results) == search.RESULTS_LIMIT
    assert result.more


def test_search_reads_only_posting_rows_and_documents_by_index(library):
    """Every query a search runs looks rows up by an index: the posting rows by gram (their
    unique key), the documents by id."""
    plans = []
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plans are read here; PostgreSQL's planner scans tables this small")
    with CaptureQueriesContext(connection) as queries:
        found("언어모델 공개")
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
            plans.append(str(cursor.fetchall()))
    assert plans
    for plan in plans:
        assert "SCAN archive_searchposting" not in plan
        assert "SCAN archive_searchdocument" not in plan


# Showing the matches.


def test_matches_are_marked_and_everything_else_escaped():
    marked = search.mark("<script>alert('모델')</script> & 언어모델을", ["모델"])

    assert marked == (
        "&lt;script&gt;alert(&#x27;<mark>모델</mark>&#x27;)&lt;/script&gt; &amp; "
        "언어<mark>모델</mark>을"
    )


def test_a_mark_follows_the_characters_shown_whatever_their_form():
    assert search.mark("ＫｏＧＰＴ와 Straße", ["kogpt", "strasse"]) == (
        "<mark>ＫｏＧＰＴ</mark>와 <mark>Straße</mark>"
    )


def test_an_excerpt_is_cut_around_the_first_match_between_words():
    text = " ".join(f"word{number}" for number in range(100)) + " 형태소 분석 " + "tail " * 100

    excerpt = search.excerpt(text, ["형태소"], length=60)

    assert excerpt.startswith("… word")
    assert excerpt.endswith(" …")
    body = excerpt.removeprefix("… ").removesuffix(" …")
    assert "<mark>형태소</mark>" in body
    assert all(piece in [*text.split(), "<mark>형태소</mark>"] for piece in body.split())
    assert len(body) <= 60 + len("<mark></mark>") + len("word99 ")


def test_an_excerpt_of_short_text_is_the_whole_text():
    assert search.excerpt("pip install 한 줄", ["install"]) == "pip <mark>install</mark> 한 줄"
    assert search.excerpt("아무 말", ["없는"]) is None


def test_results_carry_marked_titles_and_excerpts(library):
    refs = found("형태소를").results

    shown = search.results(refs, search.query_terms("형태소를"))

    assert [result.title for result in shown] == [
        "<mark>형태소</mark> 분석기 비교",
        "언어모델 주간",
    ]
    assert "<mark>형태소</mark>를 나누는" in shown[0].excerpt
    assert "<mark>형태소</mark> 분석기" in shown[1].excerpt


def test_every_post_and_week_has_one_document(library):
    assert SearchDocument.objects.count() == Post.objects.count() + Week.objects.count()
    assert PostTopic.objects.exists()


def test_a_post_saved_in_the_admin_is_indexed_once_with_its_links_and_topics(
    curator_client, monkeypatch
):
    post = make_post("관리자 글", links=[("https://a.example/", "옛 라벨")], topics=["주제"])
    calls = []
    reindex = search.reindex
    monkeypatch.setattr(
        search, "reindex", lambda *args, **kwargs: calls.append(1) or reindex(*args, **kwargs)
    )
    url = reverse("admin:archive_post_change", args=[post.pk])
    values = admin_form_values(curator_client.get(url))
    values["title"] = "고친 제목"
    values["topics"] = "새주제"
    label = next(name for name in values if name.endswith("-0-label"))
    values[label] = "새 라벨"

    response = curator_client.post(url, values)

    assert response.status_code == 302, response.content[:2000]
    assert len(calls) == 1
    assert all(post_found(word, post) for word in ("고친", "새주제", "새 라벨"))
    assert not any(post_found(word, post) for word in ("관리자", "옛 라벨"))
