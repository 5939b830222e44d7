"""Who did what: the admin's log (django.contrib.admin's LogEntry) of every curated object.

The admin writes additions, changes and deletions itself. Publishing and unpublishing are
written here, by whatever publishes: `record_action` for one object, `record_status_change`
around a bulk publish. Messages are stored in English (gettext_noop) and shown in the reader's
language on the object's history page and in the record at the top of its change page.
"""

import json
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, Subquery
from django.utils.translation import gettext, gettext_noop

from archive.models import Status

PUBLISHED = gettext_noop("Published.")
UNPUBLISHED = gettext_noop("Unpublished.")
STATUS_MESSAGES = {Status.PUBLISHED: PUBLISHED, Status.DRAFT: UNPUBLISHED}
REORDERED = gettext_noop("Put its posts in a new order.")
MERGED_IN = gettext_noop(
    "Merged %(topics)s into this topic (posts that took this topic: %(posts)s)."
)
MERGED_INTO = gettext_noop("Merged into “%(topic)s”.")


def record_action(user, obj, message, *, values=None):
    """Write into `obj`'s history that `user` did what `message` says (a sentence marked with
    gettext_noop, such as PUBLISHED), now."""
    record_actions(user, [obj], message, values=values)


def record_actions(user, objects, message, *, values=None, flag=CHANGE):
    """record_action for many objects, in one insert. `values` fill the message's
    placeholders when it is shown (in the language of whoever reads it then); `flag` is the
    admin's kind of entry (DELETION for an object written away, such as a merged topic)."""
    objects = list(objects)
    if values:
        message = json.dumps({"message": message, "values": values}, ensure_ascii=False)
    if objects:
        LogEntry.objects.log_actions(user.pk, objects, flag, change_message=message)


def record_deletions(user, objects, message, *, values=None):
    """Write that `user` removed these objects (before they go), saying how."""
    record_actions(user, objects, message, values=values, flag=DELETION)


@contextmanager
def record_status_change(user, queryset, status):
    """Record, for each row of `queryset` that the block moves to `status`, that `user`
    published or unpublished it; rows already there are left out of the history."""
    moving = list(queryset.exclude(status=status))
    yield
    record_actions(user, moving, STATUS_MESSAGES[status])


def message_of(entry):
    """An entry's message in the current language: the admin's own, or one recorded here."""
    message = entry.change_message
    if message.startswith("{"):  # recorded with values (record_actions)
        try:
            recorded = json.loads(message)
            return gettext(recorded["message"]) % recorded["values"]
        except (ValueError, KeyError, TypeError):
            return message
    if (entry.is_change() or entry.is_deletion()) and message and not message.startswith("["):
        return gettext(message)
    return entry.get_change_message()


@dataclass(frozen=True)
class Record:
    """Who added an object, who last edited it, who last published or unpublished it (each a
    LogEntry, or None when the admin has no such entry: an imported post, say)."""

    added: LogEntry | None
    edited: LogEntry | None
    status_changed: LogEntry | None

    @property
    def last_published(self):
        """Whether the last status change published (rather than unpublished) the object."""
        return self.status_changed is not None and self.status_changed.change_message == PUBLISHED


def record_of(obj):
    """The object's Record, in one query."""
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    entries = LogEntry.objects.filter(content_type=content_type, object_id=str(obj.pk))
    is_status_change = Q(action_flag=CHANGE, change_message__in=STATUS_MESSAGES.values())
    first_added = entries.filter(action_flag=ADDITION).order_by("action_time", "pk")
    newest = ("-action_time", "-pk")
    last_edited = entries.filter(action_flag=CHANGE).exclude(is_status_change).order_by(*newest)
    last_status_change = entries.filter(is_status_change).order_by(*newest)
    # The three are disjoint, so each row fetched is told apart by its flag and message.
    found = entries.filter(
        Q(pk=Subquery(first_added.values("pk")[:1]))
        | Q(pk=Subquery(last_edited.values("pk")[:1]))
        | Q(pk=Subquery(last_status_change.values("pk")[:1]))
    ).select_related("user")
    record = {"added": None, "edited": None, "status_changed": None}
    for entry in found:
        if entry.is_addition():
            record["added"] = entry
        elif entry.change_message in STATUS_MESSAGES.values():
            record["status_changed"] = entry
        else:
            record["edited"] = entry
    return Record(**record)
