"""Reading week labels back: the inverse of the labels IsoWeek writes."""

from datetime import date, timedelta

import pytest

from archive.weeks import IsoWeek


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("2021년 2월 1주차", IsoWeek(2021, 5)),
        ("2021년 1월 1주차", IsoWeek(2021, 1)),  # 4–10 Jan: 1–3 Jan belong to 2020-W53
        ("2020년 12월 5주차", IsoWeek(2020, 53)),
        ("2021 년 2 월 4 주차", IsoWeek(2021, 8)),
    ],
)
def test_korean_labels_name_the_week_whose_thursday_is_in_that_month(label, expected):
    assert IsoWeek.from_korean_label(label) == expected


def test_every_week_of_several_years_reads_back_from_its_korean_label():
    day = date(2019, 12, 30)
    while day < date(2027, 1, 1):
        week = IsoWeek.of(day)
        assert IsoWeek.from_korean_label(week.korean_label) == week
        day += timedelta(days=7)


@pytest.mark.parametrize(
    "label", ["2021년 2월 5주차", "2021년 2월 0주차", "2021년 13월 1주차", "2월 1주차", "week 5"]
)
def test_labels_of_weeks_that_do_not_exist_are_refused(label):
    with pytest.raises(ValueError):
        IsoWeek.from_korean_label(label)


@pytest.mark.parametrize("label", ["2021-W05", "2021-w5", "2021W05", " 2021-W05 "])
def test_iso_labels_read_back(label):
    assert IsoWeek.from_iso_label(label) == IsoWeek(2021, 5)


@pytest.mark.parametrize("label", ["2021-W54", "2021-05", "W05", "2021-W"])
def test_iso_labels_of_weeks_that_do_not_exist_are_refused(label):
    with pytest.raises(ValueError):
        IsoWeek.from_iso_label(label)
