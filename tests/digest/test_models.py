import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from archive.models import Week
from tests.factories import make_post, make_week

pytestmark = pytest.mark.django_db


def test_a_week_that_does_not_exist_fails_validation():
    week = Week(year=2027, number=53)

    with pytest.raises(ValidationError) as error:
        week.full_clean()

    assert list(error.value.message_dict) == ["number"]
    Week(year=2026, number=53).full_clean()


def test_the_label_follows_the_readers_language():
    week = make_week(2021, 5)

    with translation.override("ko"):
        assert (week.label, week.display_title) == ("2021년 2월 1주차", "2021년 2월 1주차")
    with translation.override("en"):
        assert week.label == "Week 5, 2021 · 1–7 Feb"
        assert week.date_range == "1–7 Feb"


def test_with_post_count():
    busy = make_week(2021, 5)
    empty = make_week(2021, 6)
    make_post(week=busy)
    make_post(week=busy)

    counts = dict(Week.objects.with_post_count().values_list("pk", "post_count"))

    assert counts == {busy.pk: 2, empty.pk: 0}


def test_published_post_count_counts_published_posts_only(db):
    week = make_week(published=True)
    make_post(week=week, published=True)
    make_post(week=week)

    assert Week.objects.with_published_post_count().get().post_count == 1


def test_the_weeks_before_and_after_are_the_nearest_across_years(db):
    weeks = {key: make_week(*key) for key in [(2020, 52), (2020, 53), (2021, 1), (2021, 5)]}
    middle = weeks[2021, 1]

    assert Week.objects.before(middle) == weeks[2020, 53]
    assert Week.objects.after(middle) == weeks[2021, 5]
    assert Week.objects.before(weeks[2020, 52]) is None
    assert Week.objects.after(weeks[2021, 5]) is None


def test_years_count_weeks_newest_year_first(db):
    for year, week in [(2020, 50), (2021, 1), (2021, 2), (2019, 7)]:
        make_week(year, week)

    assert Week.objects.years() == [(2021, 2), (2020, 1), (2019, 1)]
