"""A week's content as plain data: what the importer reads from a round-up, what the demo
declares and what the benchmark seeder generates. `archive.services.write_weeks` writes it."""

from dataclasses import dataclass, field
from datetime import date, datetime

from archive.weeks import IsoWeek


class ContentError(ValueError):
    """Content that cannot be written, reported the way compilers do: `file:line: message`."""

    def __init__(self, line, message, name="<text>"):
        super().__init__(message)
        self.line = line
        self.message = message
        self.name = name

    def __str__(self):
        return f"{self.name}:{self.line}: {self.message}"


@dataclass(frozen=True)
class LinkContent:
    url: str
    label: str = ""
    kind: str = ""  # empty: detected from the URL


@dataclass(frozen=True)
class PostContent:
    title: str
    posted_on: date
    source_url: str | None = None
    summary: str = ""
    commentary: str = ""
    links: tuple[LinkContent, ...] | list[LinkContent] = ()
    topics: tuple[str, ...] | list[str] = ()
    line: int = 0  # where the post starts in its file, for messages


@dataclass(frozen=True)
class WeekContent:
    week: IsoWeek
    title: str = ""
    intro: str = ""
    outro: str = ""
    posts: tuple[PostContent, ...] | list[PostContent] = field(default=())
    # When it was (or is to be) published; None: when it is published.
    published_at: datetime | None = None
    name: str = "<text>"  # the file it comes from, for messages
    line: int = 1  # where problems with the week as a whole are reported
