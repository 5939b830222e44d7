"""The topic index: hundreds of topics stay findable when grouped under their first letter,
the way a Korean dictionary's index tabs group words under ㄱ, ㄴ, ㄷ…"""

import math

from archive.models import Topic
from digest.caching import state_for

HANGUL_FIRST, HANGUL_LAST = ord("가"), ord("힣")
SYLLABLES_PER_INITIAL = 21 * 28  # vowels × finals in the Unicode Hangul syllable block
HANGUL_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
# Dictionaries file the doubled consonants under their single form.
DOUBLED = {"ㄲ": "ㄱ", "ㄸ": "ㄷ", "ㅃ": "ㅂ", "ㅆ": "ㅅ", "ㅉ": "ㅈ"}
DIGITS = "0–9"
OTHER = "#"
# The number of sizes a topic's name can take in the cloud (CSS classes weight-1 … weight-4).
WEIGHTS = 4


def initial_of(name):
    """The index letter a topic is filed under: ㄱ…ㅎ, A…Z, 0–9, or # for anything else."""
    if not name:
        return OTHER
    first = name[0]
    if HANGUL_FIRST <= ord(first) <= HANGUL_LAST:
        initial = HANGUL_INITIALS[(ord(first) - HANGUL_FIRST) // SYLLABLES_PER_INITIAL]
        return DOUBLED.get(initial, initial)
    if first.isascii() and first.isalpha():
        return first.upper()
    if first.isdigit():
        return DIGITS
    return OTHER


def _group_rank(initial):
    """Hangul first (the community writes in Korean), then Latin, digits, the rest."""
    if initial in HANGUL_INITIALS:
        return 0, HANGUL_INITIALS.index(initial)
    if initial.isascii() and initial.isalpha():
        return 1, ord(initial)
    return (2, 0) if initial == DIGITS else (3, 0)


def weight(post_count, most):
    """1…WEIGHTS on a log scale, so one huge topic does not shrink all others to the minimum."""
    if most <= 1:
        return 1
    return 1 + round((WEIGHTS - 1) * math.log(post_count) / math.log(most))


def topic_index(topics):
    """[(initial, [topic, …]), …] in index order; each topic gains `weight` for the cloud."""
    topics = list(topics)
    most = max((topic.post_count for topic in topics), default=0)
    groups = {}
    for topic in topics:
        topic.weight = weight(topic.post_count, most)
        groups.setdefault(initial_of(topic.label), []).append(topic)
    return [
        (initial, sorted(groups[initial], key=lambda topic: topic.label.casefold()))
        for initial in sorted(groups, key=_group_rank)
    ]


def published_topics(request):
    """The topics with a published post and their counts, in the state this request's cached
    response is named after."""
    return Topic.objects.published(state_for(request))
