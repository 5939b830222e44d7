"""Search: which posts and weeks hold every word of a query, ranked, from an index of our own.

Both engines answer from the same index, written by this module in Python and read with
nothing but equality and range lookups, so that SQLite and PostgreSQL give the same results in
the same order (tests/archive/test_search.py holds them to one table of expectations):

* Text is compared *normalised* (`normalize`): composed (NFC), then each character in its
  compatibility form (NFKC) and case-folded. A word matches when it is a substring of a
  normalised field: `모델` finds `모델을` and `언어모델`, `transformer` finds `Transformers`.
  Korean particles typed after a word are dropped from the query (`형태소를` looks for
  `형태소`; `query_terms`).
* Every searched post and week has a `SearchDocument`: its normalised text in three ranks,
  title (0), summary (1) and the rest (2) (a post's quotes, comment, links' titles, labels and
  addresses, its topics' names in both languages; a week's outro; a week's intro is its
  summary). Fields are joined with line breaks, which no query word holds, so no word matches
  across two fields.
* `SearchPosting` rows are the posting lists: for each character and each pair of adjacent
  characters (a *gram*; no gram holds a space), the documents of one calendar week (*bucket*)
  whose text of rank <= `tier` holds it. A word of one character is looked up as its own
  gram; a longer one by the least common of its pairs (every document holding the word holds
  all of them), and each candidate is then checked against its text. One row per week rather
  than per document keeps the index a few rows per word of a week, and reading a gram's rows
  newest week first (its unique index) gives candidates in the order results are shown.
* Ranking: a document's rank is the worst of its words' best fields (rank 0 when every word
  is in the title), then newer first (the post's date, a week's Sunday), then the higher id.
  Results are read newest first from the posting rows of each tier and stop once the first
  `RESULTS_LIMIT + 1` are certain, so a search costs the same on 5,000 posts as on 100,000:
  the page says "more than 200" rather than count every post that holds a common word.
* Only what `Post.objects.published()` and `Week.objects.published()` give is ever a result:
  the documents are checked against them as they are read, so a post scheduled for later,
  unpublished or in a draft week is never found, whatever the index holds.
* The index follows every write as part of it: saves, deletes and the bulk writes that
  announce themselves (`archive.signals.bulk_content_written`) name what changed
  (`watch_content`), and the documents and the weeks of postings concerned are rewritten in
  the same transaction. `deferred()` gathers a batch (importing, seeding) into one rewrite.
  `rebuild()` (after `migrate` when the index is missing, and `manage.py reindex`) writes it
  all again.
"""

import contextvars
import math
import unicodedata
from collections import defaultdict
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser

from django.db import connections, router, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.signals import post_delete, post_save
from django.utils.html import escape
from django.utils.safestring import mark_safe

TITLE, SUMMARY, REST = 0, 1, 2
RANKS = (TITLE, SUMMARY, REST)
# The most results a search lists; past it the page says "more than".
RESULTS_LIMIT = 200
# Posting rows read per tier in the first round, and how much more each next round reads.
FIRST_ROWS, GROWTH = 32, 16
# Candidates checked per tier in the first round (then GROWTH times more each round).
FIRST_CANDIDATES = 250
# How many of the latest weeks' posting rows tell which gram is the rarest.
WEEKS_COUNTED = 64
EXCERPT_LENGTH = 200


# Normalising and words.


@lru_cache(maxsize=8192)
def _fold(character):
    folded = unicodedata.normalize("NFKC", character).casefold()
    return " " if folded.isspace() else folded


def _folded_pieces(text):
    """The text composed (NFC), and each of its characters normalised: (text, pieces)."""
    composed = unicodedata.normalize("NFC", text or "")
    return composed, [_fold(character) for character in composed]


def normalize(text):
    """Text as search compares it; each character of the composed text normalised alone, so
    that a match in the normalised text maps back to the characters shown (`mark`)."""
    return "".join(_folded_pieces(text)[1])


HANGUL_FIRST, HANGUL_LAST = 0xAC00, 0xD7A3
# Particles by the sound they follow: after a final consonant, after a vowel, after either.
# ㄹ takes the vowel forms of 로.
AFTER_CONSONANT = ("이라는", "으로는", "으로도", "이라고", "이랑", "이나", "이란", "으로", "과는", "은", "이", "을", "과")  # fmt: skip
AFTER_VOWEL = ("라는", "로는", "로도", "라고", "와는", "랑", "나", "란", "로", "는", "가", "를", "와")  # fmt: skip
AFTER_ANY = ("에서는", "에서도", "에게는", "에서", "에게", "에는", "에도", "까지", "부터", "처럼", "보다", "하고", "한테", "께서", "마다", "조차", "의", "에", "도", "만", "께")  # fmt: skip
# A word keeps at least this many characters when a particle is taken off.
STEM_LENGTH = 2


def _final_consonant(syllable):
    """0 for a Hangul syllable ending in a vowel, 8 for ㄹ, another number for another final
    consonant; None for anything else."""
    code = ord(syllable)
    if not HANGUL_FIRST <= code <= HANGUL_LAST:
        return None
    return (code - HANGUL_FIRST) % 28


def without_particle(word):
    """The word without a Korean particle attached to it (`형태소를` → `형태소`, `모델을` →
    `모델`), when what is left is a Hangul word of two syllables or more and the particle is
    the form that follows its last sound (`전문가` keeps its `가`: after 문 it would be 이)."""
    for particle in sorted((*AFTER_CONSONANT, *AFTER_VOWEL, *AFTER_ANY), key=len, reverse=True):
        stem = word[: -len(particle)]
        if not word.endswith(particle) or len(stem) < STEM_LENGTH:
            continue
        final = _final_consonant(stem[-1])
        if final is None:
            continue
        if particle in AFTER_ANY:
            fits = True
        elif particle in AFTER_CONSONANT:
            fits = final != 0 and not (final == 8 and particle.startswith("으로"))
        else:
            fits = final == 0 or (final == 8 and particle.startswith("로"))
        if fits:
            return stem
    return word


def query_terms(query):
    """The words of a query as they are looked for: normalised, without particles, each once."""
    return list(dict.fromkeys(without_particle(word) for word in normalize(query).split()))


def grams(text):
    """Every character and every pair of adjacent characters of normalised text, but none
    with a space: no query word holds one."""
    found = set()
    for piece in text.split():
        found.update(piece)
        found.update(piece[index : index + 2] for index in range(len(piece) - 1))
    return found


def term_grams(term):
    return [term] if len(term) == 1 else [term[i : i + 2] for i in range(len(term) - 1)]


# What a document says, from the models.


class _HtmlText(HTMLParser):
    """Rendered curator HTML as text, its quotations apart from the rest."""

    BLOCKS = {"p", "li", "br", "pre", "blockquote", "div", "tr", "td", "th", "hr", "table"}
    BLOCKS |= {f"h{level}" for level in range(1, 7)}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.own, self.quoted, self.all, self.depth = [], [], [], 0

    def handle_starttag(self, tag, attrs):
        self._break()
        if tag == "blockquote":
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == "blockquote":
            self.depth = max(0, self.depth - 1)
        if tag in self.BLOCKS:
            self._break()

    def handle_data(self, data):
        (self.quoted if self.depth else self.own).append(data)
        self.all.append(data)

    def _break(self):
        for parts in (self.own, self.quoted, self.all):
            if parts and parts[-1] != "\n":
                parts.append("\n")


def html_text(rendered):
    """(own text, quoted text) of rendered HTML."""
    parser = _HtmlText()
    parser.feed(rendered or "")
    parser.close()
    return "".join(parser.own).strip(), "".join(parser.quoted).strip()


def reading_text(rendered):
    """Rendered HTML as text, in reading order, on one line."""
    parser = _HtmlText()
    parser.feed(rendered or "")
    parser.close()
    return " ".join("".join(parser.all).split())


def _joined(*texts):
    return "\n".join(normalize(text) for text in texts if text)


def post_texts(post, links, topics):
    """(title, summary, rest) of a post, normalised: `post` a dict of its fields, `links` and
    `topics` lists of the texts of its source and links and of its topics' names."""
    summary, quotes = html_text(post["summary_html"])
    commentary = " ".join(html_text(post["commentary_html"]))
    return normalize(post["title"]), _joined(summary), _joined(quotes, commentary, *links, *topics)


def _posts_texts(ids):
    """{post id: (day, texts)} for these posts, in five queries per thousand posts."""
    from archive.models import Link, Post, PostLink, PostTopic

    found = {}
    ids = sorted(ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        fields = ("pk", "title", "summary_html", "commentary_html", "posted_on", "source_id")
        posts = list(Post.objects.filter(pk__in=chunk).values(*fields))
        links, topics = defaultdict(list), defaultdict(list)
        address = ("title", "url", "normalized_url")
        sources = Link.objects.filter(pk__in={post["source_id"] for post in posts} - {None})
        sources = {row[0]: row[1:] for row in sources.values_list("pk", *address)}
        for post in posts:
            if post["source_id"]:
                links[post["pk"]] += _link_texts(*sources[post["source_id"]])
        post_links = PostLink.objects.filter(post_id__in=chunk).order_by(
            "post_id", "position", "pk"
        )
        for post_id, label, *link in post_links.values_list(
            "post_id", "label", *(f"link__{field}" for field in address)
        ):
            links[post_id] += [label, *_link_texts(*link)]
        post_topics = PostTopic.objects.filter(content_object_id__in=chunk).order_by("pk")
        for post_id, *names in post_topics.values_list(
            "content_object_id", "tag__name", "tag__name_en"
        ):
            topics[post_id] += names
        for post in posts:
            texts = post_texts(post, links[post["pk"]], topics[post["pk"]])
            found[post["pk"]] = (post["posted_on"], texts)
    return found


def _link_texts(title, url, normalized_url):
    return [title, *dict.fromkeys((url, normalized_url))]


def week_texts(week):
    intro, outro = (" ".join(html_text(html)) for html in (week.intro_html, week.outro_html))
    return normalize(week.title), _joined(intro), _joined(outro)


def bucket_of(day):
    """The calendar week (Monday to Sunday) a day is in, as a number: the day 0001-01-01 was
    a Monday."""
    return (day.toordinal() - 1) // 7


# Keeping the index.


def _models():
    from archive.models import SearchDocument, SearchPosting

    return SearchDocument, SearchPosting


def reindex(posts=(), weeks=(), buckets=()):
    """Write again the documents of these posts and weeks (by id; a missing one loses its
    document) and the posting rows of every week they were or are in, and of `buckets`."""
    from archive.models import Week

    SearchDocument, _SearchPosting = _models()
    posts, weeks, buckets = set(posts), set(weeks), set(buckets)
    if not (posts or weeks or buckets):
        return
    with transaction.atomic():
        old = SearchDocument.objects.filter(Q(post__in=posts) | Q(week__in=weeks))
        documents = {(row.post_id, row.week_id): row for row in old}
        written = [((pk, None), day, texts) for pk, (day, texts) in _posts_texts(posts).items()]
        for week in Week.objects.filter(pk__in=weeks) if weeks else ():
            written.append(((None, week.pk), week.end, week_texts(week)))
        creating, updating = [], []
        for key, day, (title, summary, rest) in written:
            document = documents.pop(key, None) or SearchDocument(post_id=key[0], week_id=key[1])
            new = (day, title, summary, rest)
            if document.pk and new == (
                document.day,
                document.title,
                document.summary,
                document.rest,
            ):
                continue  # a save that changed nothing search reads (its status, its position)
            if document.pk:
                buckets.add(document.bucket)
            document.day, document.bucket = day, bucket_of(day)
            document.title, document.summary, document.rest = title, summary, rest
            (updating if document.pk else creating).append(document)
            buckets.add(document.bucket)
        buckets |= {row.bucket for row in documents.values()}  # those deleted
        fields = ["day", "bucket", "title", "summary", "rest"]
        SearchDocument.objects.bulk_update(updating, fields, batch_size=500)
        SearchDocument.objects.bulk_create(creating, batch_size=500)
        SearchDocument.objects.filter(pk__in=[row.pk for row in documents.values()]).delete()
        _write_postings(buckets)


def _write_postings(buckets):
    """The posting rows of these weeks, from their documents; only the rows that change are
    written. Writers of content queue on the content version's row lock (the triggers of
    archive/versioning.py take it with their first write), so two never rewrite a week at once."""
    SearchDocument, SearchPosting = _models()
    buckets = sorted(buckets)
    for start in range(0, len(buckets), 200):
        some = buckets[start : start + 200]
        wanted = defaultdict(list)
        documents = SearchDocument.objects.filter(bucket__in=some).order_by("pk")
        for pk, bucket, *texts in documents.values_list("pk", "bucket", "title", "summary", "rest"):
            best = {}
            for rank, text in enumerate(texts):
                for gram in grams(text):
                    best.setdefault(gram, rank)
            for gram, rank in best.items():
                for tier in range(rank, len(RANKS)):
                    wanted[(gram, tier, bucket)].append(pk)
        wanted = {key: " ".join(map(str, pks)) for key, pks in wanted.items()}
        existing = SearchPosting.objects.filter(bucket__in=some)
        stale, changed = [], []
        for pk, *key, documents_then in existing.values_list(
            "pk", "gram", "tier", "bucket", "documents"
        ).iterator(5000):
            documents_now = wanted.pop(tuple(key), None)
            if documents_now is None:
                stale.append(pk)
            elif documents_now != documents_then:
                changed.append((documents_now, pk))
        # Plain statements: a model instance per row would cost more than the rest together.
        table = SearchPosting._meta.db_table
        with connections[router.db_for_write(SearchPosting)].cursor() as cursor:
            for index in range(0, len(stale), 500):
                SearchPosting.objects.filter(pk__in=stale[index : index + 500]).delete()
            if changed:
                cursor.executemany(f"UPDATE {table} SET documents = %s WHERE id = %s", changed)
            if wanted:
                cursor.executemany(
                    f"INSERT INTO {table} (gram, tier, bucket, documents) VALUES (%s, %s, %s, %s)",
                    [(*key, documents_now) for key, documents_now in wanted.items()],
                )


def rebuild():
    """Write the whole index again."""
    from archive.models import Post, Week

    SearchDocument, SearchPosting = _models()
    with transaction.atomic():
        SearchPosting.objects.all().delete()
        SearchDocument.objects.all().delete()
        post_ids = list(Post.objects.values_list("pk", flat=True))
        for start in range(0, len(post_ids), 2000):
            reindex(posts=post_ids[start : start + 2000])
        reindex(weeks=Week.objects.values_list("pk", flat=True))


def is_missing(connection):
    """True when content exists but the index does not hold it (a database migrated from
    before the index, or written around it)."""
    from archive.models import Post, Week

    SearchDocument, _SearchPosting = _models()
    if SearchDocument._meta.db_table not in connection.introspection.table_names():
        return False
    indexed = SearchDocument.objects.using(connection.alias).count()
    return (
        indexed
        != Post.objects.using(connection.alias).count()
        + Week.objects.using(connection.alias).count()
    )


# What a write changes.

_pending = contextvars.ContextVar("search_pending", default=None)


@contextmanager
def deferred():
    """Gather what the writes inside change and index it once, at the end, in the same
    transaction (a nested use joins the outer one)."""
    if _pending.get() is not None:
        yield
        return
    pending = {"posts": set(), "weeks": set(), "buckets": set()}
    token = _pending.set(pending)
    try:
        # Inside a transaction already (a request's, a test's), it joins it, without an atomic
        # block of its own: an admin view refusing a request (PermissionDenied) raises through
        # here, and must not doom the transaction around it.
        joined = transaction.get_connection().in_atomic_block
        with nullcontext() if joined else transaction.atomic():
            yield
            _pending.reset(token)
            token = None
            reindex(**pending)
    finally:
        if token is not None:
            _pending.reset(token)


def _changed(posts=(), weeks=(), buckets=()):
    pending = _pending.get()
    if pending is None:
        reindex(posts, weeks, buckets)
    else:
        pending["posts"].update(posts)
        pending["weeks"].update(weeks)
        pending["buckets"].update(buckets)


def _posts_of(model, pks):
    """The ids of the posts whose text rows of `model` (by id) are part of."""
    from archive.models import Link, Post, PostLink, PostTopic, Topic

    pks = list(pks)
    if model is Post:
        return pks
    if model is PostLink:
        return PostLink.objects.filter(pk__in=pks).values_list("post_id", flat=True)
    if model is PostTopic:
        return PostTopic.objects.filter(pk__in=pks).values_list("content_object_id", flat=True)
    if model is Topic:
        rows = PostTopic.objects.filter(tag_id__in=pks)
        return rows.values_list("content_object_id", flat=True)
    if model is Link:
        using = Post.objects.filter(Q(source_id__in=pks) | Q(post_links__link_id__in=pks))
        return using.values_list("pk", flat=True).distinct()
    return []


def _saved(sender, instance, raw=False, **kwargs):
    from archive.models import Week

    if sender is Week:
        _changed(weeks=[instance.pk])
    else:
        _changed(posts=set(_posts_of(sender, [instance.pk])))


def _deleted(sender, instance, **kwargs):
    from archive.models import Post, PostLink, PostTopic, Week

    if sender is Week:
        _changed(weeks=[instance.pk], buckets=[bucket_of(instance.end)])
    elif sender is Post:
        _changed(posts=[instance.pk], buckets=[bucket_of(instance.posted_on)])
    elif sender is PostLink:
        _changed(posts=[instance.post_id])
    elif sender is PostTopic:
        _changed(posts=[instance.content_object_id])
    # A Link in use cannot be deleted (PROTECT); a Topic's deletion deletes its PostTopics.


def _bulk_written(sender, pks, **kwargs):
    from archive.models import Week

    if sender is Week:
        _changed(weeks=pks)
    else:
        _changed(posts=set(_posts_of(sender, pks)))


def watch_content():
    """Index again after every write to what search reads. Called once, at startup."""
    from archive.models import Link, Post, PostLink, PostTopic, Topic, Week
    from archive.signals import bulk_content_written

    for model in (Week, Post, Link, PostLink, PostTopic, Topic):
        uid = f"search-{model._meta.label}"
        post_save.connect(_saved, sender=model, dispatch_uid=uid)
        post_delete.connect(_deleted, sender=model, dispatch_uid=uid)
    bulk_content_written.connect(_bulk_written, dispatch_uid="search")


# Reading the index.


@dataclass(frozen=True)
class Found:
    """A search's answer: up to RESULTS_LIMIT (kind, id) pairs, best first ("post" or "week"),
    and whether more matched."""

    results: list
    more: bool


def _candidates_sql(table, tiers):
    parts = [
        f"SELECT * FROM (SELECT tier, bucket, documents FROM {table} WHERE gram = %s AND "
        f"tier = %s AND bucket < %s ORDER BY bucket DESC LIMIT %s) AS tier{tier}"
        for tier in tiers
    ]
    return " UNION ALL ".join(parts)


def _rarest_gram(connection, table, terms):
    """The gram of the query that the fewest documents of the latest weeks hold (where reading
    starts), or None when one is in no document at all."""
    candidates = list(dict.fromkeys(gram for term in terms for gram in term_grams(term)))
    if len(candidates) == 1:
        return candidates[0]
    sql = " UNION ALL ".join(
        f"SELECT {index}, (SELECT coalesce(sum(length(documents)), 0) FROM (SELECT documents "
        f"FROM {table} WHERE gram = %s AND tier = {REST} ORDER BY bucket DESC "
        f"LIMIT {WEEKS_COUNTED}) AS found{index})"
        for index in range(len(candidates))
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, candidates)
        counts = dict(cursor.fetchall())
    index = min(range(len(candidates)), key=lambda index: (counts[index], index))
    return None if counts[index] == 0 else candidates[index]


def find(query, posts, weeks=None):
    """The posts of `posts` and weeks of `weeks` (QuerySets, published ones) holding every word
    of the query, best first; None for a query without words."""
    SearchDocument, SearchPosting = _models()
    terms = query_terms(query)
    if not terms:
        return None
    connection = connections[router.db_for_read(SearchPosting)]
    table = SearchPosting._meta.db_table
    gram = _rarest_gram(connection, table, terms)
    if gram is None:
        return Found([], False)
    wanted = RESULTS_LIMIT + 1
    visible = Exists(posts.filter(pk=OuterRef("post_id")))
    if weeks is not None:
        visible |= Exists(weeks.filter(pk=OuterRef("week_id")))
    found = {rank: [] for rank in RANKS}
    reading = {tier: _Reading() for tier in RANKS}
    tiers = list(RANKS)
    while tiers:
        params = [
            value
            for tier in tiers
            for value in (gram, tier, reading[tier].below, reading[tier].rows_to_fetch())
        ]
        with connection.cursor() as cursor:
            cursor.execute(_candidates_sql(table, tiers), params)
            rows = cursor.fetchall()
        taken = {
            tier: reading[tier].take([row[1:] for row in rows if row[0] == tier]) for tier in tiers
        }
        ids = {pk for pks in taken.values() for pk in pks}
        documents = SearchDocument.objects.filter(visible, pk__in=ids).values_list(
            "pk", "post_id", "week_id", "day", "title", "summary", "rest"
        )
        ranked = {}
        for pk, post_id, week_id, day, *texts in documents:
            rank = _rank(terms, texts)
            if rank is not None:
                kind, ref = ("post", post_id) if post_id else ("week", week_id)
                ranked[pk] = (rank, (day, kind == "week", ref), (kind, ref))
        for tier, pks in taken.items():
            matched = [ranked[pk][1:] for pk in pks if pk in ranked and ranked[pk][0] == tier]
            found[tier] += matched
            reading[tier].matched += len(matched)
        tiers = _tiers_to_read(found, {tier: reading[tier].done for tier in RANKS}, wanted)
        certain = 0
        for tier in RANKS:
            if tiers and tier == tiers[0]:
                reading[tier].plan(wanted - certain - len(found[tier]))
            else:  # read ahead, in case the better tiers run out, but no more than at first
                reading[tier].budget = FIRST_CANDIDATES
            certain += len(found[tier])
    results = []
    for rank in RANKS:
        results += [ref for _key, ref in sorted(found[rank], reverse=True)]
    return Found(results[:RESULTS_LIMIT], len(results) > RESULTS_LIMIT)


class _Reading:
    """How far the posting rows of one tier have been read, and how many to read next: about
    as many candidates as the results still missing need, at the share of candidates that
    turned out to be results so far."""

    def __init__(self):
        self.below = 1 << 62  # the oldest week read so far
        self.budget = FIRST_CANDIDATES
        self.taken = self.matched = self.rows = 0
        self.done = False

    def rows_to_fetch(self):
        if self.rows:  # as many rows as the budget takes at the ids per row seen so far
            per_row = self.taken / self.rows
            self.limit = max(FIRST_ROWS, math.ceil(self.budget / per_row) + FIRST_ROWS // 4)
        else:
            self.limit = FIRST_ROWS
        return self.limit

    def take(self, rows):
        """The document ids of the rows (tier, bucket, ids) read, newest first, up to the budget."""
        ids, fetched = [], len(rows)
        for bucket, documents in sorted(rows, key=lambda row: -row[0]):
            ids += map(int, documents.split())
            self.below = bucket
            self.rows += 1
            if len(ids) >= self.budget:
                break
        else:
            self.done = fetched < self.limit
        self.taken += len(ids)
        return ids

    def plan(self, missing):
        growth = self.budget * GROWTH
        if self.matched and missing > 0:
            needed = math.ceil(missing * self.taken / self.matched * 1.25)
            self.budget = min(growth, max(FIRST_CANDIDATES, needed))
        else:
            self.budget = growth


def _rank(terms, texts):
    """The worst of the words' best fields; None when a word is in none."""
    worst = TITLE
    for term in terms:
        best = next((rank for rank, text in zip(RANKS, texts, strict=True) if term in text), None)
        if best is None:
            return None
        worst = max(worst, best)
    return worst


def _tiers_to_read(found, done, wanted):
    """The tiers whose rows must be read further before the first `wanted` results are certain
    (none when they are): the results of a rank come after all of the better ranks', and those
    read so far of a rank are its newest. Every tier not read to its end is read on, so that
    one more round usually settles it."""
    certain = 0
    for rank in RANKS:
        certain += len(found[rank])
        if certain >= wanted:
            return []
        if not done[rank]:
            return [tier for tier in RANKS[rank:] if not done[tier]]
    return []


# Showing matches.


def _matches(text, terms):
    """[(start, end)] of the words in the text shown, not overlapping, in order."""
    composed, pieces = _folded_pieces(text)
    normalised, starts = [], []
    for index, piece in enumerate(pieces):
        starts += [index] * len(piece)
        normalised.append(piece)
    normalised = "".join(normalised)
    spans = []
    for term in terms:
        position = normalised.find(term)
        while position != -1:
            first, last = starts[position], starts[position + len(term) - 1] + 1
            spans.append((first, last))
            position = normalised.find(term, position + len(term))
    merged = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
        else:
            merged.append((first, last))
    return composed, merged


def _marked(text, spans):
    parts, at = [], 0
    for first, last in spans:
        parts += [escape(text[at:first]), "<mark>", escape(text[first:last]), "</mark>"]
        at = last
    parts.append(escape(text[at:]))
    return mark_safe("".join(parts))


def mark(text, terms):
    """The text escaped, with each match of the words in `<mark>`."""
    composed, spans = _matches(text, terms)
    return _marked(composed, spans)


def excerpt(text, terms, length=EXCERPT_LENGTH):
    """About `length` characters of the text around its first match, cut between words, with
    the matches in `<mark>`; None when no word matches."""
    composed, spans = _matches(" ".join(text.split()), terms)
    if not spans:
        return None
    first, last = spans[0]
    start = max(0, first - length // 3)
    if start:
        space = composed.find(" ", start, first)
        start = space + 1 if space != -1 else composed.rfind(" ", 0, first) + 1
    end = min(len(composed), max(last, start + length))
    if end < len(composed):
        space = composed.rfind(" ", last, end + 1)
        if space == -1:
            space = composed.find(" ", end)
        end = space if space != -1 else len(composed)
    window = [
        (max(a, start) - start, min(b, end) - start) for a, b in spans if a < end and b > start
    ]
    body = _marked(composed[start:end], window)
    return mark_safe(("… " if start else "") + body + (" …" if end < len(composed) else ""))


# The results a page shows.


@dataclass(frozen=True)
class Result:
    """A post or week found, with its title and an excerpt marked (safe HTML)."""

    kind: str
    item: object
    title: str
    excerpt: str | None


def results(refs, terms):
    """The Results for these (kind, id) pairs, in their order, in four queries at most."""
    from archive.models import Post, Week

    post_ids = [pk for kind, pk in refs if kind == "post"]
    week_ids = [pk for kind, pk in refs if kind == "week"]
    posts = Post.objects.filter(pk__in=post_ids).for_display().in_bulk() if post_ids else {}
    weeks = Week.objects.filter(pk__in=week_ids).in_bulk() if week_ids else {}
    shown = []
    for kind, pk in refs:
        if kind == "post" and pk in posts:
            post = posts[pk]
            texts = [reading_text(post.summary_html), reading_text(post.commentary_html)]
            for post_link in post.post_links.all():
                texts.append(" · ".join(filter(None, (post_link.label, post_link.link.title))))
            texts.append(" · ".join(topic.names for topic in post.topics.all()))
            shown.append(Result(kind, post, mark(post.title, terms), _first_excerpt(texts, terms)))
        elif kind == "week" and pk in weeks:
            week = weeks[pk]
            texts = [reading_text(week.intro_html), reading_text(week.outro_html)]
            title = mark(week.display_title, terms)
            shown.append(Result(kind, week, title, _first_excerpt(texts, terms)))
    return shown


def _first_excerpt(texts, terms):
    return next(filter(None, (excerpt(text, terms) for text in texts if text)), None)
