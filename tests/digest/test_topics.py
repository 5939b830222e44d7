from types import SimpleNamespace

import pytest

from digest.topics import initial_of, topic_index, weight


@pytest.mark.parametrize(
    ("name", "initial"),
    [
        ("자연어처리", "ㅈ"),
        ("강화학습", "ㄱ"),
        ("꿀팁", "ㄱ"),  # doubled consonants are filed under the single one
        ("힣", "ㅎ"),
        ("NLP", "N"),
        ("pytorch", "P"),
        ("3D", "0–9"),
        ("Ébauche", "#"),
        ("#태그", "#"),
        ("", "#"),
    ],
)
def test_topics_are_filed_under_their_first_letter(name, initial):
    assert initial_of(name) == initial


def test_weights_grow_on_a_log_scale_from_1_to_4():
    assert [weight(count, 100) for count in (1, 5, 20, 100)] == [1, 2, 3, 4]
    assert weight(1, 1) == 1


def test_the_index_puts_hangul_first_then_latin_then_the_rest():
    names = ["zeta", "3D", "나무", "Alpha", "가지", "까치", "#x", "beta"]
    topics = [SimpleNamespace(name=name, post_count=1) for name in names]

    index = [(initial, [topic.name for topic in group]) for initial, group in topic_index(topics)]

    assert index == [
        ("ㄱ", ["가지", "까치"]),
        ("ㄴ", ["나무"]),
        ("A", ["Alpha"]),
        ("B", ["beta"]),
        ("Z", ["zeta"]),
        ("0–9", ["3D"]),
        ("#", ["#x"]),
    ]
