"""The topic index: hundreds of topics stay findable when grouped under their first letter,
the way a Korean dictionary's index tabs group words under ㄱ, ㄴ, ㄷ…"""

import math
from dataclasses import replace

from django.db import transaction
from django.db.models import F
from taggit.models import Tag

from archive.models import Post
from digest import freshness
from digest.models import ContentVersion, TopicCount

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
        groups.setdefault(initial_of(topic.name), []).append(topic)
    return [
        (initial, sorted(groups[initial], key=lambda topic: topic.name.casefold()))
        for initial in sorted(groups, key=_group_rank)
    ]


def published_topics(request=None):
    """Topics with at least one published post, each annotated with `post_count`.

    Counting them is a pass over every post of the archive, so the counts are kept in TopicCount
    and counted again only when the content's state (digest.freshness) has moved since: once
    after each change, by the first reader, for every app server. Reading them is one small query
    (plus the state's, asked once per request).
    """
    state = freshness.for_request(request) if request else freshness.current()
    if state.topics_counted_in != state.state:
        state = _count_topics()
        if request:
            request._freshness = state
    return Tag.objects.filter(published_count__isnull=False).annotate(
        post_count=F("published_count__post_count")
    )


def _count_topics():
    with transaction.atomic():
        # Readers racing here count once: the others wait for the lock, then find it done.
        ContentVersion.objects.select_for_update().get(pk=freshness.VERSION_ROW)
        state = freshness.current()
        if state.topics_counted_in != state.state:
            TopicCount.objects.all().delete()
            TopicCount.objects.bulk_create(
                TopicCount(tag=topic, post_count=topic.post_count)
                for topic in Post.objects.published().topics()
            )
            ContentVersion.objects.filter(pk=freshness.VERSION_ROW).update(
                topics_counted_in=state.state
            )
            state = replace(state, topics_counted_in=state.state)
    return state
