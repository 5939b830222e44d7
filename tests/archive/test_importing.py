import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from archive.importing import DigestFormatError, parse_digest
from archive.models import Link, Post, PostLink, Status, Topic, Week
from archive.weeks import IsoWeek
from tests.factories import make_link

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
KOREAN = FIXTURES / "round-up-ko.md"
ENGLISH = FIXTURES / "round-up-en.md"
FACEBOOK = "https://www.facebook.com/groups/TensorFlowKR/permalink/"


def import_files(*paths, **options):
    out = io.StringIO()
    call_command("import_digest", *map(str, paths), stdout=out, **options)
    return out.getvalue()


def row_counts():
    return {model.__name__: model.objects.count() for model in (Week, Post, Link, PostLink, Topic)}


NOTHING = {"Week": 0, "Post": 0, "Link": 0, "PostLink": 0, "Topic": 0}


@pytest.mark.django_db
def test_the_tensorflowkr_sample_imports_to_its_five_items(tensorflowkr_sample):
    import_files(tensorflowkr_sample)

    week = Week.objects.get()
    assert (week.year, week.number, week.status) == (2021, 5, Status.DRAFT)
    posts = list(week.posts.in_reading_order().select_related("source"))
    assert len(posts) == 5
    assert [post.posted_on.day for post in posts] == [1, 2, 3, 3, 5]
    assert all(post.posted_on.month == 2 and post.status == Status.DRAFT for post in posts)
    assert [post.source.normalized_url.rsplit("/", 2)[-2] for post in posts] == [
        "1411658372508550",
        "1413385785669142",
        "1413783255629395",
        "1414198208921233",  # item 4 takes the source of its first sub-item…
        "1415462428794811",
    ]
    assert [[link.domain for link in post.links.order_by("post_links")] for post in posts] == [
        ["github.com"],
        ["github.com"],
        ["paperswithcode.com"],
        ["facebook.com", "cpm0722.github.io", "youtube.com"],  # …the second's is a link
        ["airsc.ai"],
    ]
    # Link texts that only point ("github link", "게시물 링크") give way to their targets' names.
    assert [[pl.label for pl in post.post_links.all()] for post in posts] == [
        ["GitHub: kiyoungkim1/LMkor"],
        ["github repository"],
        ["Papers with Code"],
        ["Facebook: TensorFlowKR", "cpm0722.github.io", "고려대학교 DSBA 연구실 랩세미나 영상"],
        ["현대자동차 AIRS 공식 홈페이지 바로가기"],
    ]
    assert "fbclid" not in "".join(Link.objects.values_list("url", flat=True))
    assert "fbclid" not in "".join(post.summary + post.commentary for post in posts)
    # The blog page's title, tagline and byline are scaffolding; the news heading is the title.
    assert week.title.startswith("🎢") and week.title.endswith("(2021년 2월 1주차)")
    assert week.intro.startswith("> ") and "TensorflowKR" in week.intro
    assert "written by" not in week.intro and "TIL" not in week.intro
    assert week.outro.startswith("이것으로") and "---" not in week.outro
    for text in [week.intro, week.outro, *(post.summary for post in posts)]:
        assert "<br" not in text and "</br>" not in text and "\n\n\n" not in text
    assert "**1. Attention**" in posts[3].summary and "**2. Transformer**" in posts[3].summary
    # The last paragraph is the curator's comment when it is in the curator's own words…
    comments = [post.commentary for post in posts]
    assert comments[0].endswith("감사하고 좋은 소식이네요!")
    assert all(comments[2:]) and "\n\n" not in "".join(comments)
    # …not when it only points to a link: that stays in the summary, in its place.
    assert comments[1] == ""
    assert posts[1].summary.endswith(
        "더 자세한 정보는 [github repository](https://github.com/kakaobrain/pororo)를 "
        "참고해주시기 바랍니다."
    )


@pytest.mark.django_db
def test_a_korean_round_up_imports_with_its_intro_items_links_and_outro():
    output = import_files(KOREAN)

    week = Week.objects.get()
    assert (week.year, week.number) == (2022, 10)
    assert week.title == "🌱이번 주의 머신러닝 소식(2022년 3월 2주차)"
    assert week.intro == (
        "> 이번 주에도 커뮤니티에서 눈에 띈 소식들을 모아 보았습니다.\n>\n"
        "> 고르는 기준은 여전히 제 관심사입니다 :)"
    )
    assert week.outro == "다음 주에도 재미있는 소식으로 찾아오겠습니다!\n\n읽어 주셔서 고맙습니다:)"
    first, second, third = week.posts.in_reading_order()
    assert (first.title, first.posted_on) == ("한국어 문장 임베딩 모델 공개", date(2022, 3, 7))
    assert first.source.url == (
        "https://www.facebook.com/groups/TensorFlowKR/permalink/2000000000000001/"
    )
    assert first.summary.startswith("한국어 문장 유사도 과제에 맞춰")
    assert "([깃허브](https://github.com/example-lab/ko-sentence))" in first.summary
    assert '```python\nmodel = load("ko-sentence")  # </br> 코드' in first.summary
    assert first.commentary == "검색 서비스를 만드시는 분들께 쓸모가 많겠네요!"
    assert [(pl.label, pl.link.url) for pl in first.post_links.all()] == [
        ("깃허브", "https://github.com/example-lab/ko-sentence")
    ]
    # Sub-items stay in one post, which takes the date and source of the first.
    assert (second.posted_on, second.source.url) == (
        date(2022, 3, 8),
        f"{FACEBOOK}2000000000000002/",
    )
    assert "> 패치 임베딩\n>\n> 위치 인코딩" in second.summary
    assert [pl.link.url for pl in second.post_links.all()] == [
        f"{FACEBOOK}2000000000000003/",
        "https://example-blog.github.io/vit-from-scratch/",
    ]
    # The same repository with a different tracking parameter is the same Link.
    assert third.links.last() == first.links.get()
    assert Link.objects.count() == 7
    assert "+ 2. 논문 구현 모음(Diffusion, ViT) (2022-03-08, 2 links)" in output


@pytest.mark.django_db
def test_english_dates_explicit_commentary_link_lists_and_topics():
    import_files(ENGLISH)

    week = Week.objects.get()
    assert (week.year, week.number, week.title) == (2022, 11, "Weekly ML links")
    first, second, third = week.posts.in_reading_order()
    assert [first.posted_on, second.posted_on, third.posted_on] == [
        date(2022, 3, 14),
        date(2022, 3, 15),
        date(2022, 3, 16),
    ]
    assert (first.summary, first.commentary) == (
        "Version 2.0 is twice as fast on long documents.",
        "Worth upgrading.\n\nEven with the new padding rules.",
    )
    assert [(pl.label, pl.link.url) for pl in first.post_links.all()] == [
        ("release notes", "https://github.com/example-org/tokenizers/releases"),
        ("", "https://arxiv.org/abs/2203.00001"),
    ]
    assert sorted(first.topics.names()) == ["NLP", "tokenization"]
    assert sorted(third.topics.names()) == ["papers", "reading group"]
    assert second.source.url == "https://news.ycombinator.com/item?id=30000001"
    assert third.source is None
    assert "Links:" not in first.commentary and "Topics" not in third.summary


@pytest.mark.django_db
def test_importing_the_same_file_twice_creates_nothing_and_keeps_curator_edits():
    import_files(KOREAN)
    counts = row_counts()
    edited = Post.objects.get(posted_on=date(2022, 3, 7))
    edited.summary = "큐레이터가 고친 요약"
    edited.save()

    output = import_files(KOREAN)

    assert row_counts() == counts
    edited.refresh_from_db()
    assert edited.summary == "큐레이터가 고친 요약"
    assert "0 of 3 posts created, 0 new links" in output


@pytest.mark.django_db
def test_a_post_without_a_source_is_recognised_by_its_title_within_the_week():
    import_files(ENGLISH)
    counts = row_counts()

    import_files(ENGLISH)

    assert row_counts() == counts


@pytest.mark.django_db
def test_links_already_in_the_archive_are_reused():
    existing = make_link("https://github.com/example-lab/ko-sentence?utm_source=x&fbclid=1")

    import_files(KOREAN)

    assert Post.objects.get(posted_on=date(2022, 3, 7)).links.get() == existing


@pytest.mark.django_db
def test_a_dry_run_prints_what_it_would_create_and_writes_nothing():
    make_link("https://github.com/example-lab/ko-sentence")

    output = import_files(KOREAN, ENGLISH, dry_run=True)

    assert row_counts() == {**NOTHING, "Link": 1}
    assert "2022-W10 (2022년 3월 2주차): new week, would be created" in output
    assert "+ 1. 한국어 문장 임베딩 모델 공개 (2022-03-07, 1 link)" in output
    assert "3 of 3 posts would be created, 6 new links" in output
    assert "[2/2]" in output


@pytest.mark.django_db
def test_publish_publishes_the_week_and_its_posts():
    import_files(KOREAN)
    import_files(KOREAN, publish=True)

    assert Week.objects.published().count() == 1
    assert Post.objects.published().count() == 3


@pytest.mark.django_db
def test_week_option_files_the_round_up_under_another_week():
    import_files(KOREAN, week=IsoWeek(2022, 12))

    assert Week.objects.get().iso_week == IsoWeek(2022, 12)


@pytest.mark.django_db
def test_week_option_parses_iso_labels_and_refuses_others():
    call_command("import_digest", str(ENGLISH), "--week", "2022-W12", stdout=io.StringIO())
    assert Week.objects.get().iso_week == IsoWeek(2022, 12)

    with pytest.raises(CommandError, match="2022-W60"):
        call_command("import_digest", str(ENGLISH), "--week", "2022-W60")
    with pytest.raises(CommandError, match="one file"):
        call_command("import_digest", str(ENGLISH), str(KOREAN), "--week", "2022-W12")


def broken(text, old, new):
    assert old in text
    return text.replace(old, new, 1)


def line_of(text, fragment):
    return text[: text.index(fragment)].count("\n") + 1


KOREAN_TEXT = KOREAN.read_text(encoding="utf-8")
ITEM_2_DATE = "2022년 3월 8일/ [게시물 링크](https://www.facebook.com/groups/TensorFlowKR/permalink/2000000000000002/)"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        pytest.param(b"", 1, "empty", id="empty file"),
        pytest.param(b"\n  \n\n", 1, "empty", id="blank file"),
        pytest.param(
            b"# title\n\n\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            3,
            "not UTF-8",
            id="binary garbage",
        ),
        pytest.param(b"# t\n\n### 1. x\n\n2021-02-01\n\x00\x01\x02", 6, "control", id="NUL bytes"),
        pytest.param(
            KOREAN_TEXT.split("2022년 3월 11일/ [게시물")[0].encode(),
            line_of(KOREAN_TEXT, "### 3."),
            "no date line",
            id="truncated after a heading",
        ),
        pytest.param(
            KOREAN_TEXT[: KOREAN_TEXT.index("2000000000000004") - 10].encode(),
            line_of(KOREAN_TEXT, "2022년 3월 11일"),
            "incomplete",
            id="truncated inside a link",
        ),
        pytest.param(
            broken(KOREAN_TEXT, "2022년 3월 7일", "2022년 2월 30일").encode(),
            line_of(KOREAN_TEXT, "2022년 3월 7일"),
            "2022년 2월 30일 is not a date",
            id="a date that does not exist",
        ),
        pytest.param(
            broken(KOREAN_TEXT, "2022년 3월 7일/", "").encode(),
            line_of(KOREAN_TEXT, "### 1."),
            "item 1 has no date line",
            id="an item without a date",
        ),
        pytest.param(
            broken(broken(KOREAN_TEXT, ITEM_2_DATE, ""), "2022년 3월 9일/", "").encode(),
            line_of(KOREAN_TEXT, "### 2."),
            "item 2 has no date line",
            id="sub-items without dates",
        ),
        pytest.param(
            broken(KOREAN_TEXT, "### 3.", "### 4.").encode(),
            line_of(KOREAN_TEXT, "### 3."),
            "item 3 was expected",
            id="a skipped item number",
        ),
        pytest.param(
            broken(KOREAN_TEXT, "<br/>\n\n---\n\n### 3.", "```\n\n### 3.").encode(),
            line_of(KOREAN_TEXT, "<br/>\n\n---\n\n### 3.") + 0,
            "never closed",
            id="an unclosed code block",
        ),
        pytest.param(
            broken(KOREAN_TEXT, "3월 2주차)", "3월 3주차)").encode(),
            line_of(KOREAN_TEXT, "# 🌱"),
            "2022-W10",
            id="a heading that disagrees with the dates",
        ),
        pytest.param(
            broken(
                KOREAN_TEXT, "https://www.example.org/", "https://www.example.org:99999/"
            ).encode(),
            line_of(KOREAN_TEXT, "https://www.example.org/"),
            "not valid",
            id="a broken URL",
        ),
        pytest.param(
            broken(KOREAN_TEXT, "### 1. 한국어 문장", "### 1. " + "가" * 300).encode(),
            line_of(KOREAN_TEXT, "### 1."),
            "title",
            id="a title too long for the database",
        ),
        pytest.param(b"# Notes\n\nJust some text.\n", 3, "no numbered item", id="no items"),
    ],
)
@pytest.mark.django_db
def test_a_file_it_cannot_read_stops_with_file_and_line_and_writes_nothing(
    tmp_path, text, line, message
):
    path = tmp_path / "broken.md"
    path.write_bytes(text)

    with pytest.raises(CommandError) as raised:
        import_files(path)

    assert f"{path}:{line}: " in str(raised.value)
    assert message in str(raised.value)
    assert f"Nothing of {path} was imported." in str(raised.value)
    assert row_counts() == NOTHING


@pytest.mark.django_db
def test_a_bad_file_among_several_stops_there_and_keeps_those_before_it(tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text(broken(KOREAN_TEXT, "2022년 3월 9일", "2022년 3월 32일"), encoding="utf-8")

    line = line_of(KOREAN_TEXT, "2022년 3월 9일")
    with pytest.raises(CommandError, match=rf"(?s)bad\.md:{line}: 2022년 3월 32일 is not .*before"):
        import_files(ENGLISH, bad, KOREAN)

    assert list(Week.objects.values_list("number", flat=True)) == [11]
    assert Post.objects.count() == 3


@pytest.mark.django_db
def test_an_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match=r"missing\.md: No such file"):
        import_files(tmp_path / "missing.md")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2021년 2월 1일/ [게시물 링크](https://example.com/1)", date(2021, 2, 1)),
        (" 2021년 2월 1일 / [게시물 링크](https://example.com/1)", date(2021, 2, 1)),
        ("2021-02-01 · [post link](https://example.com/1)", date(2021, 2, 1)),
        ("Feb 1, 2021 / [post link](https://example.com/1)", date(2021, 2, 1)),
        ("February 1, 2021 | [post link](https://example.com/1)", date(2021, 2, 1)),
        ("1 Feb 2021 - [post link](https://example.com/1)", date(2021, 2, 1)),
        ("1 February 2021", date(2021, 2, 1)),
        ("Sept 30, 2021 <https://example.com/1>", date(2021, 9, 30)),
    ],
)
def test_date_lines_in_every_style_the_archive_uses(line, expected):
    parsed = parse_digest(f"### 1. Item\n\n{line}\n\nText.\n")

    assert parsed.posts[0].posted_on == expected


def test_a_paragraph_that_starts_with_a_date_is_text_not_a_date_line():
    with pytest.raises(DigestFormatError, match="no date line"):
        parse_digest("### 1. Item\n\n2021년 2월 1일에 공개된 모델입니다.\n")


def test_a_heading_that_is_only_the_week_label_leaves_the_title_empty():
    parsed = parse_digest("# 2021년 2월 1주차\n\n### 1. Item\n\n2021-02-03\n")

    assert (parsed.title, parsed.week) == ("", IsoWeek(2021, 5))


def test_the_week_is_the_one_most_items_are_dated_in():
    parsed = parse_digest(
        "### 1. A\n\n2021-01-31\n\n### 2. B\n\n2021-02-01\n\n### 3. C\n\n2021-02-02\n"
    )

    assert parsed.week == IsoWeek(2021, 5)


def test_a_lone_paragraph_is_a_summary_and_a_trailing_quote_is_not_commentary():
    parsed = parse_digest(
        "### 1. A\n\n2021-02-01\n\nOnly text.\n\n### 2. B\n\n2021-02-02\n\nIntro.\n\n> quoted\n"
    )

    first, second = parsed.posts
    assert (first.summary, first.commentary) == ("Only text.", "")
    assert (second.summary, second.commentary) == ("Intro.\n\n> quoted", "")


def test_images_and_non_web_links_are_not_links():
    parsed = parse_digest(
        "### 1. A\n\n2021-02-01\n\n![chart](https://example.com/c.png) "
        "[mail](mailto:a@example.com) [top](#top) [web](https://example.com/w)\n"
    )

    assert [link.url for link in parsed.posts[0].links] == ["https://example.com/w"]


def test_a_links_line_is_the_complete_ordered_list_of_the_posts_links():
    parsed = parse_digest(
        "### 1. A\n\n2021-02-01\n\n[b](https://example.com/b) [a](https://example.com/a)\n\n"
        "링크: [a](https://example.com/a) · <https://example.com/c>\n\n"
        "### 2. B\n\n2021-02-02\n\n[b](https://example.com/b)\n\n링크: 없음\n"
    )

    first, second = parsed.posts
    assert [(link.label, link.url) for link in first.links] == [
        ("a", "https://example.com/a"),
        ("", "https://example.com/c"),
    ]
    assert first.summary == "[b](https://example.com/b) [a](https://example.com/a)"
    assert (second.links, second.summary) == ([], "[b](https://example.com/b)")


@pytest.mark.django_db
def test_two_items_with_the_same_title_and_no_source_are_two_posts_each_time(tmp_path):
    """The second was reported "already there" and lost: it matched the first by its title."""
    path = tmp_path / "twins.md"
    path.write_text(
        "# 이번 주\n\n---\n\n### 1. 같은 제목\n\n2021년 2월 1일\n\n첫째\n\n---\n\n"
        "### 2. 같은 제목\n\n2021년 2월 2일\n\n둘째\n",
        encoding="utf-8",
    )

    import_files(path)
    import_files(path)

    assert list(Post.objects.order_by("position").values_list("summary", flat=True)) == [
        "첫째",
        "둘째",
    ]


POINTING_ITEM = """# 이번 주

### 1. 저장소 공개

2021년 2월 1일/ [게시물 링크](https://www.facebook.com/groups/TensorFlowKR/permalink/1/)

KcBERT가 공개되었습니다. 코드는 [여기](https://github.com/Beomi/KcBERT?fbclid=x), 논문은 \
[이곳](https://arxiv.org/abs/2010.11929), 패키지는 [click here](https://pypi.org/project/kcbert/),
설명은 [링크](https://example.com/kcbert) 그리고 [KcBERT 소개](https://example.com/intro).
{links}
"""


def test_a_link_that_only_points_is_labelled_after_its_target():
    [post] = parse_digest(POINTING_ITEM.format(links="")).posts

    assert [(link.label, link.url) for link in post.links] == [
        ("GitHub: Beomi/KcBERT", "https://github.com/Beomi/KcBERT"),
        ("arXiv: 2010.11929", "https://arxiv.org/abs/2010.11929"),
        ("PyPI: kcbert", "https://pypi.org/project/kcbert/"),
        ("example.com", "https://example.com/kcbert"),
        ("KcBERT 소개", "https://example.com/intro"),
    ]
    assert (
        "[여기](https://github.com/Beomi/KcBERT?fbclid=x)" in post.summary
    )  # the text is as written


def test_a_links_line_keeps_the_labels_it_lists():
    listed = "링크: [여기](https://github.com/Beomi/KcBERT) · <https://arxiv.org/abs/2010.11929>"

    [post] = parse_digest(POINTING_ITEM.format(links="\n" + listed)).posts

    assert [(link.label, link.url) for link in post.links] == [
        ("여기", "https://github.com/Beomi/KcBERT"),
        ("", "https://arxiv.org/abs/2010.11929"),
    ]


LAST_PARAGRAPH = """# 이번 주

### 1. 새 모델 공개

2021년 2월 1일/ [게시물 링크](https://www.facebook.com/groups/TensorFlowKR/permalink/1/)

새 모델이 공개되었습니다.

{last}
"""


@pytest.mark.parametrize(
    "last, comment",
    [
        # The curator's own words.
        ("정말 반가운 소식이네요!", True),
        ("직접 확인해 보니 정말 빠르네요!", True),
        ("원문이 워낙 좋아서 꼭 읽어 보시길 권합니다 :)", True),
        ("코드는 [여기](https://github.com/a/b) 있습니다. 저도 써 봤는데 정말 편하네요 :)", True),
        ("Worth upgrading, even with the new padding rules.", True),
        # Sentences that point to a link…
        (
            "더 자세한 정보는 [github repository](https://github.com/a/b)를 참고해주시기 바랍니다.",
            False,
        ),
        ("깃허브 저장소는 [여기](https://github.com/a/b)", False),
        ("이외에도 학습 관련 추가 정보는 위 github repository에서 확인하실 수 있습니다.", False),
        ("자세한 내용은 [블로그](https://example.com/a)에 정리되어 있어요.", False),
        ("[GitHub](https://github.com/a/b) · [논문](https://arxiv.org/abs/2010.11929)", False),
        ("<https://github.com/a/b>", False),
        ("See [the paper](https://arxiv.org/abs/2010.11929) for the details.", False),
        ("More details: [blog post](https://example.com/a).", False),
        ("[공식 홈페이지 바로가기](https://example.com/)", False),
        # …or report what others said.
        ("다음 달에는 더 큰 모델도 공개할 예정이라고 합니다.", False),
        ("학습 코드도 곧 공개한다고 하네요.", False),
    ],
)
def test_the_last_paragraph_is_the_comment_only_in_the_curators_own_words(last, comment):
    [post] = parse_digest(LAST_PARAGRAPH.format(last=last)).posts

    if comment:
        assert (post.summary, post.commentary) == ("새 모델이 공개되었습니다.", last)
    else:
        assert (post.summary, post.commentary) == (f"새 모델이 공개되었습니다.\n\n{last}", "")


def test_a_commentary_marker_says_what_the_comment_is_whatever_it_says():
    text = LAST_PARAGRAPH.format(
        last="<!-- commentary -->\n\n더 자세한 정보는 [여기](https://github.com/a/b)를 참고하세요."
    )

    [post] = parse_digest(text).posts

    assert post.commentary == "더 자세한 정보는 [여기](https://github.com/a/b)를 참고하세요."


@pytest.mark.django_db
def test_publish_reports_what_it_published_and_where():
    with translation.override("en"):  # whatever language a command happens to run in
        output = import_files(KOREAN, publish=True)

    week = Week.objects.get()
    assert week.is_published
    when = timezone.localtime(week.published_at).strftime("%Y-%m-%d %H:%M %Z")
    assert f"  published (since {when}): http://testserver/2022/w10/ shows 3 of its 3 posts" in (
        output.splitlines()
    )


@pytest.mark.django_db
def test_an_import_without_publish_says_the_week_is_a_draft():
    output = import_files(KOREAN)

    assert output.splitlines()[-1] == (
        "  a draft: publish it in the admin, or import it again with --publish"
    )
