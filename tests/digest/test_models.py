import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from digest.models import WeeklyDigest
from tests.factories import make_digest, make_post

pytestmark = pytest.mark.django_db


def test_a_week_that_does_not_exist_fails_validation():
    digest = WeeklyDigest(year=2027, week=53)

    with pytest.raises(ValidationError) as error:
        digest.full_clean()

    assert list(error.value.message_dict) == ["week"]
    WeeklyDigest(year=2026, week=53).full_clean()


def test_the_label_follows_the_readers_language():
    digest = make_digest(2021, 5)

    with translation.override("ko"):
        assert (digest.label, digest.display_title) == ("2021년 2월 1주차", "2021년 2월 1주차")
    with translation.override("en"):
        assert digest.label == "Week 5, 2021 · 1–7 Feb"
        assert digest.date_range == "1–7 Feb"


def test_with_post_count():
    busy = make_digest(2021, 5)
    empty = make_digest(2021, 6)
    make_post(digest=busy)
    make_post(digest=busy)

    counts = dict(WeeklyDigest.objects.with_post_count().values_list("pk", "post_count"))

    assert counts == {busy.pk: 2, empty.pk: 0}
