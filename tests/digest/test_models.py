import pytest

from digest.models import WeeklyDigest
from tests.factories import make_digest, make_post

pytestmark = pytest.mark.django_db


def test_post_count_counts_published_posts_only(db):
    digest = make_digest(published=True)
    make_post(digest=digest, published=True)
    make_post(digest=digest)

    assert WeeklyDigest.objects.with_post_count().get().post_count == 1


def test_the_weeks_before_and_after_are_the_nearest_across_years(db):
    weeks = {key: make_digest(*key) for key in [(2020, 52), (2020, 53), (2021, 1), (2021, 5)]}
    middle = weeks[2021, 1]

    assert WeeklyDigest.objects.before(middle) == weeks[2020, 53]
    assert WeeklyDigest.objects.after(middle) == weeks[2021, 5]
    assert WeeklyDigest.objects.before(weeks[2020, 52]) is None
    assert WeeklyDigest.objects.after(weeks[2021, 5]) is None


def test_years_count_weeks_newest_year_first(db):
    for year, week in [(2020, 50), (2021, 1), (2021, 2), (2019, 7)]:
        make_digest(year, week)

    assert WeeklyDigest.objects.years() == [(2021, 2), (2020, 1), (2019, 1)]
