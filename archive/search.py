"""Which posts hold a word: the matching behind `PostQuerySet.search`, served by an index.

A word matches a post when it is a substring, in any case, of the post's title, summary or
comment, or of the title or an address of its source or of one of its links, or of a link's
label, or of either name of one of its topics (Korean or English). Korean needs substrings: `모델` must find `모델을` and `언어모델`. Each engine indexes the
same text its own way; archive/migrations/0004_search_indexes.py builds the indexes, and
tests/archive/test_search.py holds both engines to the same results.

* SQLite: an FTS5 table per searched table, with the trigram tokenizer, kept in step by
  triggers (so `QuerySet.update()` and raw SQL are indexed too; `install_triggers` puts back
  any that a migration dropped). A word of three characters
  or more is a phrase of trigrams. Trigrams cannot name a two-character word, but every
  occurrence of one begins some trigram of the index (each value is stored with a newline
  after it, so that even a value's last two characters do), so the index's own vocabulary
  lists the trigrams that begin with it and the match is their union.
* PostgreSQL: pg_trgm GIN indexes on the upper-cased columns, which Django's `icontains`
  (`UPPER(column) LIKE UPPER(pattern)`) uses for words of three characters or more.
  pg_trgm has no vocabulary to read, so a two-character word is matched by scanning.
* A one-character word is matched by scanning on both.

The sets of posts a word can reach (through their own text, their source, their links, their
topics) are joined with UNION in a single subquery, which each engine answers from its indexes; an OR
of three subqueries would make it test every post.
"""

from django.db import connections
from django.db.models import Q
from django.db.models.expressions import RawSQL

# The searched fields of each model, in the order of the columns of its SQLite FTS5 table.
SEARCHED_FIELDS = {
    "post": ("title", "summary", "commentary"),
    "link": ("title", "normalized_url", "url"),
    "postlink": ("label",),
    "topic": ("name", "name_en"),
}
# The shortest word a trigram phrase can hold.
TRIGRAM = 3
# Above every code point: the end of the range of vocabulary terms that start with a prefix.
LAST_CHARACTER = chr(0x10FFFF)


def matching_posts(posts, term):
    """A Q for the posts holding `term`; `posts` is the QuerySet it will filter."""
    from archive.models import Link, Post, PostLink, PostTopic, Topic  # models.py imports this

    vendor = connections[posts.db].vendor
    links = _matching(Link, term, vendor).values("pk")
    by_own_text = _matching(Post, term, vendor).values("pk")
    by_source = Post.objects.filter(source__in=links).order_by().values("pk")
    by_link = PostLink.objects.filter(link__in=links).order_by().values("post")
    by_label = _matching(PostLink, term, vendor).values("post")
    topics = _matching(Topic, term, vendor).values("pk")
    by_topic = PostTopic.objects.filter(tag__in=topics).order_by().values("content_object")
    # ALL: the IN keeps each post once anyway; UNION would first sort the rows to dedupe them.
    return Q(pk__in=by_own_text.union(by_source, by_link, by_label, by_topic, all=True))


def _matching(model, term, vendor):
    """The rows of `model` with `term` in a searched field."""
    if vendor == "sqlite" and len(term) >= TRIGRAM - 1:
        rows = Q(pk__in=_fts_rowids(model._meta.db_table, term))
    else:
        rows = Q()
        for field in SEARCHED_FIELDS[model._meta.model_name]:
            rows |= Q(**{f"{field}__icontains": term})
    # No ordering: a union's parts cannot have one, and an IN needs none.
    return model.objects.filter(rows).order_by()


def _fts_rowids(table, term):
    index = f"{table}_search"
    if len(term) >= TRIGRAM:
        return RawSQL(f"SELECT rowid FROM {index} WHERE {index} MATCH %s", [_phrase(term)])
    # Every trigram of the vocabulary that starts with the word, as one OR query; a query that
    # matches nothing when there is none (MATCH refuses an empty query).
    return RawSQL(
        f"SELECT rowid FROM {index} WHERE {index} MATCH coalesce(("
        f"SELECT group_concat('\"' || replace(term, '\"', '\"\"') || '\"', ' OR ') "
        f"FROM {index}_terms WHERE term >= %s AND term < %s), '\"\"')",
        [term.lower(), term.lower() + LAST_CHARACTER],
    )


def _phrase(term):
    """An FTS5 string: inside double quotes, every character is literal."""
    return '"' + term.replace('"', '""') + '"'


def _trigger_statements(table, columns):
    """{trigger name: its SQL} keeping a table's FTS5 index in step; each value is stored with
    a newline after it, so that every two characters of it begin some trigram."""
    index = f"{table}_search"
    names = ", ".join(columns)
    padded = ", ".join(f"new.{column} || char(10)" for column in columns)
    insert = f"INSERT INTO {index} (rowid, {names}) VALUES (new.id, {padded});"
    return {
        f"{index}_insert": f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"{index}_update": f"CREATE TRIGGER {index}_update AFTER UPDATE OF {names} ON {table} "
        f"BEGIN DELETE FROM {index} WHERE rowid = old.id; {insert} END",
        f"{index}_delete": f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} "
        f"BEGIN DELETE FROM {index} WHERE rowid = old.id; END",
    }


def install_triggers(connection):
    """SQLite: put back the index triggers a migration dropped (SQLite drops a table's triggers
    when a migration rebuilds it) and index that table again, since writes may have missed the
    index meanwhile. The indexes themselves come from archive/migrations/0004_search_indexes.py;
    PostgreSQL's need no triggers."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        existing = set(cursor.fetchall())
        for model_name, columns in SEARCHED_FIELDS.items():
            table = f"archive_{model_name}"
            index = f"{table}_search"
            if ("table", index) not in existing:  # not migrated that far
                continue
            statements = _trigger_statements(table, columns)
            missing = [sql for name, sql in statements.items() if ("trigger", name) not in existing]
            if not missing:
                continue
            for statement in missing:
                cursor.execute(statement)
            names = ", ".join(columns)
            padded = ", ".join(f"{column} || char(10)" for column in columns)
            cursor.execute(f"DELETE FROM {index}")
            cursor.execute(f"INSERT INTO {index} (rowid, {names}) SELECT id, {padded} FROM {table}")
