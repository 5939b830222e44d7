from datetime import date, timedelta

import pytest

from archive.weeks import IsoWeek


@pytest.mark.parametrize(
    "year, week, start, end, korean, english, korean_range",
    [
        (2020, 53, date(2020, 12, 28), date(2021, 1, 3), "2020년 12월 5주차", "Week 53, 2020 · 28 Dec 2020 – 3 Jan 2021", "2020년 12월 28일 – 2021년 1월 3일"),
        (2021, 1, date(2021, 1, 4), date(2021, 1, 10), "2021년 1월 1주차", "Week 1, 2021 · 4–10 Jan", "1월 4일 – 10일"),
        (2021, 5, date(2021, 2, 1), date(2021, 2, 7), "2021년 2월 1주차", "Week 5, 2021 · 1–7 Feb", "2월 1일 – 7일"),
        (2021, 9, date(2021, 3, 1), date(2021, 3, 7), "2021년 3월 1주차", "Week 9, 2021 · 1–7 Mar", "3월 1일 – 7일"),
        (2021, 13, date(2021, 3, 29), date(2021, 4, 4), "2021년 4월 1주차", "Week 13, 2021 · 29 Mar – 4 Apr", "3월 29일 – 4월 4일"),
        (2026, 1, date(2025, 12, 29), date(2026, 1, 4), "2026년 1월 1주차", "Week 1, 2026 · 29 Dec 2025 – 4 Jan 2026", "2025년 12월 29일 – 2026년 1월 4일"),
        (2026, 53, date(2026, 12, 28), date(2027, 1, 3), "2026년 12월 5주차", "Week 53, 2026 · 28 Dec 2026 – 3 Jan 2027", "2026년 12월 28일 – 2027년 1월 3일"),
    ],
)  # fmt: skip
def test_week_labels_across_year_ends(year, week, start, end, korean, english, korean_range):
    iso_week = IsoWeek(year, week)

    assert (iso_week.start, iso_week.end) == (start, end)
    assert iso_week.iso_label == f"{year}-W{week:02d}"
    assert iso_week.korean_label == korean
    assert iso_week.english_label == english
    assert iso_week.korean_range == korean_range
    days = [start + timedelta(days=offset) for offset in range(7)]
    assert {IsoWeek.of(day) for day in days} == {iso_week}
    assert IsoWeek.of(start - timedelta(days=1)) != iso_week != IsoWeek.of(end + timedelta(days=1))


def test_previous_crosses_year_ends():
    assert IsoWeek(2021, 1).previous() == IsoWeek(2020, 53)
    assert IsoWeek(2026, 1).previous() == IsoWeek(2025, 52)
    assert IsoWeek(2027, 1).previous() == IsoWeek(2026, 53)


@pytest.mark.parametrize("year, week", [(2027, 53), (2021, 53), (2021, 0), (2021, 54), (0, 1)])
def test_weeks_that_do_not_exist_are_refused(year, week):
    with pytest.raises(ValueError, match="not an ISO week"):
        IsoWeek(year, week)


@pytest.mark.parametrize(
    "label, week",
    [
        ("2021-W05", IsoWeek(2021, 5)),
        ("2021W5", IsoWeek(2021, 5)),
        (" 2026-w53 ", IsoWeek(2026, 53)),
    ],
)
def test_iso_labels_read_back(label, week):
    assert IsoWeek.from_iso_label(label) == week
    assert IsoWeek.from_iso_label(week.iso_label) == week


@pytest.mark.parametrize("label", ["2027-W53", "2021-W00", "21-W05", "2021-05", "2021-W5x", ""])
def test_labels_naming_no_week_are_refused(label):
    with pytest.raises(ValueError):
        IsoWeek.from_iso_label(label)


def thursdays_rule_label(year, week):
    """The Korean label worked out from scratch: ISO week 1 is the week of the year's first
    Thursday; a week belongs to the month of its Thursday and is numbered by counting that
    month's Thursdays up to it."""
    first_thursday = date(year, 1, 1)
    while first_thursday.weekday() != 3:
        first_thursday += timedelta(days=1)
    thursday = first_thursday + timedelta(weeks=week - 1)
    month_start = thursday.replace(day=1)
    thursdays_so_far = sum(
        1
        for offset in range((thursday - month_start).days + 1)
        if (month_start + timedelta(days=offset)).weekday() == 3
    )
    return f"{thursday.year}년 {thursday.month}월 {thursdays_so_far}주차"


@pytest.mark.parametrize("year, weeks", [(2021, 52), (2026, 53)])
def test_the_korean_label_of_every_week_follows_the_thursday_rule(year, weeks):
    labels = [IsoWeek(year, week).korean_label for week in range(1, weeks + 1)]

    assert labels == [thursdays_rule_label(year, week) for week in range(1, weeks + 1)]
    assert len(set(labels)) == weeks
    with pytest.raises(ValueError):
        IsoWeek(year, weeks + 1)
