import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from archive.demo import WEEKS
from archive.export import week_markdown
from archive.models import Link, Post, PostLink, Topic, Week
from archive.services import write_weeks
from tests.factories import (
    make_link,
    make_post,
    make_published_week,
    make_round_up_week,
    make_user,
    make_week,
)

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def snapshot():
    """Everything a round trip must keep, independent of row ids and creation times."""
    return [
        {
            "week": (week.year, week.number),
            "title": week.title,
            "intro": week.intro,
            "outro": week.outro,
            "posts": [
                {
                    "title": post.title,
                    "posted_on": post.posted_on,
                    "source": post.source.normalized_url if post.source else None,
                    "summary": post.summary,
                    "commentary": post.commentary,
                    "links": [(pl.label, pl.link.normalized_url) for pl in post.post_links.all()],
                    "tags": sorted(post.topics.names()),
                }
                for post in week.posts.in_reading_order()
            ],
        }
        for week in Week.objects.order_by("year", "number")
    ]


def export_import_and_export_again(tmp_path):
    """{ISO week: its Markdown} of every week, exported, then imported into an emptied site and
    exported again."""

    def export():
        weeks = Week.objects.order_by("year", "number")
        return {week.iso_label: week_markdown(week, week.posts.all()) for week in weeks}

    first = export()
    paths = []
    for label, text in first.items():
        paths.append(tmp_path / f"{label}.md")
        paths[-1].write_text(text, encoding="utf-8")
    for model in (Post, Link, Week, Topic):
        model.objects.all().delete()
    call_command("import_digest", *map(str, paths), stdout=io.StringIO())
    return first, export()


def export_wipe_and_import(tmp_path):
    """The one week exported, then imported into an emptied site; its Markdown."""
    exported, _again = export_import_and_export_again(tmp_path)
    [text] = exported.values()
    return text


def make_awkward_week():
    """A factory week plus posts whose text the importer could not split or link by itself."""
    week = make_published_week(title="", intro="이번 주 소개\n\n> 인용", outro="다음 주에 만나요")
    make_post(
        title="요약만 두 문단",
        week=week,
        position=10,
        posted_on=date(2021, 2, 4),
        summary="첫 문단.\r\n\r\n둘째 문단도 요약입니다.",
        links=["https://example.com/first", "https://example.com/second"],
    )
    make_post(
        title="코멘트만",
        week=week,
        position=11,
        posted_on=date(2021, 2, 6),
        commentary="요약 없이 코멘트만 [참고](https://example.com/ref) 있습니다.",
        topics=["machine learning", "NLP"],
    )
    post = make_post(
        title="링크 순서가 본문과 다른 글",
        week=week,
        position=12,
        posted_on=date(2021, 2, 7),
        source=make_link("https://www.facebook.com/groups/TensorFlowKR/permalink/42/"),
        summary="[뒤](https://example.com/b) 그리고 [앞](https://example.com/a)",
    )
    for position, (url, label) in enumerate(
        [("https://example.com/a", "앞"), ("https://example.com/b", "뒤")]
    ):
        PostLink.objects.create(
            post=post, link=Link.objects.for_url(url), label=label, position=position
        )
    return week


def test_a_factory_week_survives_export_and_import(tmp_path):
    make_awkward_week()
    before = snapshot()

    export_wipe_and_import(tmp_path)

    after = snapshot()
    # Windows line endings from the admin's text areas are the one thing that changes.
    before[0]["posts"][3]["summary"] = before[0]["posts"][3]["summary"].replace("\r\n", "\n")
    assert after == before
    assert len(after[0]["posts"]) == 6


def test_the_sample_survives_import_export_and_import_again(tensorflowkr_sample, tmp_path):
    call_command("import_digest", str(tensorflowkr_sample), stdout=io.StringIO())
    before = snapshot()

    exported = export_wipe_and_import(tmp_path)

    assert snapshot() == before
    # The hand-written shape needs no markers: no link lists, no commentary markers.
    assert "<!-- commentary -->" not in exported and "\n링크: " not in exported
    week = Week.objects.get()
    assert week_markdown(week, week.posts.all()) == exported


def test_the_korean_fixture_survives_import_export_and_import_again(tmp_path):
    call_command("import_digest", str(FIXTURES / "round-up-ko.md"), stdout=io.StringIO())
    before = snapshot()

    export_wipe_and_import(tmp_path)

    assert snapshot() == before


def import_fixture(name):
    call_command("import_digest", str(FIXTURES / name), stdout=io.StringIO())


def make_pasted_week():
    """Text pasted into the admin: tracking parameters in every field, code that must keep its
    own, and an address with a fragment."""
    pasted = (
        "[저장소](https://github.com/a/b?fbclid=IwAR1) · <https://youtu.be/x?si=abc&t=3>\n\n"
        "```\ncurl 'https://example.com/api?utm_source=docs'\n```\n\n"
        "설치는 https://m.facebook.com/groups/TensorFlowKR/?fbclid=x 와 "
        "[문서](https://example.com/docs?utm_medium=social#install) 참고."
    )
    week = make_week(intro=pasted, outro=pasted)
    make_post(title="붙여 넣은 글", week=week, summary=pasted, commentary=pasted)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: write_weeks(WEEKS, publish=True), id="demo weeks"),
        pytest.param(make_published_week, id="factory week"),
        pytest.param(make_round_up_week, id="round-up week"),
        pytest.param(make_awkward_week, id="awkward week"),
        pytest.param(make_pasted_week, id="pasted tracking parameters"),
        pytest.param(lambda: import_fixture("round-up-ko.md"), id="Korean round-up"),
        pytest.param(lambda: import_fixture("round-up-en.md"), id="English round-up"),
    ],
)
def test_export_import_export_gives_the_same_bytes_for_every_week(tmp_path, make):
    make()

    first, second = export_import_and_export_again(tmp_path)

    assert first == second
    assert "fbclid" not in "".join(first.values())


def test_export_import_export_of_the_sample_gives_the_same_bytes(tensorflowkr_sample, tmp_path):
    call_command("import_digest", str(tensorflowkr_sample), stdout=io.StringIO())

    first, second = export_import_and_export_again(tmp_path)

    assert first == second


def test_the_export_has_the_shape_of_the_hand_written_round_ups(tmp_path):
    call_command("import_digest", str(FIXTURES / "round-up-ko.md"), stdout=io.StringIO())
    week = Week.objects.get()

    lines = week_markdown(week, week.posts.all()).splitlines()

    assert lines[0] == "# 🌱이번 주의 머신러닝 소식(2022년 3월 2주차)"
    assert lines[2].startswith("> 이번 주에도")
    assert [line for line in lines if line.startswith("###")] == [
        "### 1. 한국어 문장 임베딩 모델 공개",
        "### 2. 논문 구현 모음(Diffusion, ViT)",
        "### 3. 음성 인식 데이터셋 공개",
    ]
    first = lines.index("### 1. 한국어 문장 임베딩 모델 공개")
    assert lines[first + 2] == (
        "2022년 3월 7일/ [게시물 링크]"
        "(https://www.facebook.com/groups/TensorFlowKR/permalink/2000000000000001/)"
    )
    # Sub-items give the date: no date line of the item's own, as in the original.
    second = lines.index("### 2. 논문 구현 모음(Diffusion, ViT)")
    assert lines[second + 2] == "이번 주에는 구현 글이 두 편 올라왔습니다."
    assert lines.count("---") == 4  # before each item and before the outro
    assert lines[-1] == "읽어 주셔서 고맙습니다:)"


def test_factory_links_and_topics_are_written_as_lines():
    week = make_published_week(posts=1)
    post = week.posts.get()

    text = week_markdown(week, week.posts.all())

    urls = [pl.link.normalized_url for pl in post.post_links.all()]
    assert f"\n\n링크: <{urls[0]}> · <{urls[1]}>\n\n주제: NLP, 자연어처리\n" in text
    assert text.startswith("# 2021년 2월 1주차\n\n---\n\n### 1. ")


def run_admin_action(client, *weeks):
    return client.post(
        reverse("admin:archive_week_changelist"),
        {"action": "download_markdown", "_selected_action": [week.pk for week in weeks]},
    )


def test_the_admin_downloads_a_draft_week_as_markdown(client):
    client.force_login(make_user("admin", superuser=True))
    week = make_week(title="초안 주간")
    make_post(title="초안 글", week=week)

    response = run_admin_action(client, week)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="2021-W05.md"'
    assert "### 1. 초안 글" in response.content.decode("utf-8")


def test_the_admin_downloads_several_weeks_as_a_zip(client):
    client.force_login(make_user("admin", superuser=True))
    weeks = [make_week(number=5), make_week(number=6)]

    response = run_admin_action(client, *weeks)

    assert response["Content-Disposition"] == 'attachment; filename="weeks.zip"'
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist() == ["2021-W05.md", "2021-W06.md"]
        assert archive.read("2021-W06.md").decode("utf-8") == "# 2021년 2월 2주차\n"
