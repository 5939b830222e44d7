"""When an imported round-up came out: the rule archive/importing.py documents."""

from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from archive.importing import DigestFormatError, parse_digest
from archive.weeks import IsoWeek

SEOUL = ZoneInfo("Asia/Seoul")
LATER = datetime(2026, 12, 10, 12, 0, tzinfo=SEOUL)


def round_up(*headings, dates=("2021년 2월 1일", "2021년 2월 3일")):
    items = "\n\n".join(
        f"### {number}. Item {number}\n\n{day}\n\n요약." for number, day in enumerate(dates, 1)
    )
    return "\n\n".join([*headings, items])


def published_at(text, week=None, now=LATER):
    with mock.patch("django.utils.timezone.now", return_value=now):
        return parse_digest(text, week=week).published_at


def at_nine_pm(year, month, day):
    return datetime(year, month, day, 21, 0, tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("headings", "dates", "expected"),
    [
        pytest.param(
            ["# [210209 TIL] 2월 1주차 아카이빙", "# 이번 주 소식(2021년 2월 1주차)"],
            ("2021년 2월 1일", "2021년 2월 3일"),
            at_nine_pm(2021, 2, 9),
            id="the blog title's yymmdd",
        ),
        pytest.param(
            ["# 이번 주 소식 (2021년 2월 10일 정리)"],
            ("2021년 2월 1일",),
            at_nine_pm(2021, 2, 10),
            id="a date written in the title",
        ),
        pytest.param(
            ["# TensorflowKR 뉴스 (2021-02-01 ~ 2021-02-07)"],
            ("2021-02-01", "2021-02-05"),
            at_nine_pm(2021, 2, 7),
            id="the latest of a title's dates",
        ),
        pytest.param(
            ["# 2021년 2월 1주차"],
            ("2021년 2월 1일", "2021년 2월 3일"),
            at_nine_pm(2021, 2, 7),
            id="no date in the title: the Sunday ending its ISO week",
        ),
        pytest.param(
            ["# [210202 TIL] 정리"],
            ("2021년 2월 1일", "2021년 2월 3일"),
            at_nine_pm(2021, 2, 7),
            id="a title dated before its items is not when it came out",
        ),
        pytest.param(
            ["# [219999 TIL] 정리"],
            ("2021년 2월 1일",),
            at_nine_pm(2021, 2, 7),
            id="six digits that are no date",
        ),
        pytest.param(
            [],
            ("2021년 2월 3일", "2021년 2월 4일", "2021년 2월 9일"),
            at_nine_pm(2021, 2, 9),
            id="an item dated after that Sunday",
        ),
    ],
)
def test_a_round_up_is_published_the_evening_it_was_written(headings, dates, expected):
    assert published_at(round_up(*headings, dates=dates)) == expected


def test_a_round_up_of_the_current_week_is_never_dated_after_its_import():
    wednesday = datetime(2021, 2, 3, 10, 0, tzinfo=SEOUL)

    assert published_at(round_up(), now=wednesday) == wednesday


def test_the_week_option_moves_the_week_not_the_dates():
    text = round_up(dates=("2021년 2월 1일",))

    assert published_at(text, week=IsoWeek(2021, 3)) == at_nine_pm(2021, 2, 1)


def test_a_title_date_that_does_not_exist_is_an_error_at_its_line():
    with pytest.raises(DigestFormatError) as error:
        published_at(round_up("# 정리 (2021년 2월 30일)"))

    assert (error.value.line, error.value.message) == (
        1,
        "2021년 2월 30일 is not a date that exists",
    )
