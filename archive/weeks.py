"""ISO weeks and the labels readers know them by.

The Korean label follows the convention of the hand-written round-ups (`2021년 2월 1주차`): a week
belongs to the month that holds its Thursday and is numbered within that month, the same rule ISO
uses to give a week its year.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

ENGLISH_MONTHS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)

# `2021년 2월 1주차`, found inside a longer heading such as `TensorflowKR 뉴스(2021년 2월 1주차)`.
KOREAN_LABEL = re.compile(r"(?P<year>\d{4})\s*년\s*(?P<month>\d{1,2})\s*월\s*(?P<number>\d)\s*주차")
ISO_LABEL = re.compile(r"(?P<year>\d{4})-?W(?P<week>\d{1,2})", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    number: int

    def __post_init__(self):
        try:
            date.fromisocalendar(self.year, self.number, 1)
        except (ValueError, OverflowError):
            raise ValueError(f"{self.year}-W{self.number:02d} is not an ISO week") from None

    @classmethod
    def of(cls, day: date) -> "IsoWeek":
        year, number, _weekday = day.isocalendar()
        return cls(year, number)

    @classmethod
    def from_iso_label(cls, label: str) -> "IsoWeek":
        """`2021-W05` (or `2021W5`, `2021-w05`) as a week."""
        match = ISO_LABEL.fullmatch(label.strip())
        if not match:
            raise ValueError(f"{label!r} is not an ISO week such as 2021-W05")
        return cls(int(match["year"]), int(match["week"]))

    @classmethod
    def from_month_week(cls, year: int, month: int, number: int) -> "IsoWeek":
        """The week `month_week` calls the n-th of this month: the inverse of that rule."""
        try:
            first = date(year, month, 1)
        except ValueError:
            raise ValueError(f"{year}-{month} is not a month") from None
        first_thursday = first + timedelta(days=(3 - first.weekday()) % 7)
        thursday = first_thursday + timedelta(weeks=number - 1)
        if number < 1 or thursday.month != month:
            raise ValueError(f"{year}년 {month}월 has no week {number}")
        return cls.of(thursday)

    @classmethod
    def from_korean_label(cls, label: str) -> "IsoWeek":
        """`2021년 2월 1주차` as a week; ValueError for text that is not such a label."""
        match = KOREAN_LABEL.fullmatch(label.strip())
        if not match:
            raise ValueError(f"{label!r} is not a week label such as 2021년 2월 1주차")
        return cls.from_month_week(int(match["year"]), int(match["month"]), int(match["number"]))

    @property
    def start(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def thursday(self) -> date:
        return self.start + timedelta(days=3)

    def previous(self) -> "IsoWeek":
        return IsoWeek.of(self.start - timedelta(days=7))

    @property
    def iso_label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def month_week(self) -> tuple[int, int, int]:
        """(year, month, n): the week is the n-th of the month holding its Thursday."""
        thursday = self.thursday
        return thursday.year, thursday.month, (thursday.day - 1) // 7 + 1

    @property
    def korean_label(self) -> str:
        year, month, number = self.month_week
        return f"{year}년 {month}월 {number}주차"

    @property
    def english_range(self) -> str:
        start, end = self.start, self.end
        if start.year != end.year:
            return (
                f"{start.day} {ENGLISH_MONTHS[start.month - 1]} {start.year} – "
                f"{end.day} {ENGLISH_MONTHS[end.month - 1]} {end.year}"
            )
        if start.month != end.month:
            return (
                f"{start.day} {ENGLISH_MONTHS[start.month - 1]} – "
                f"{end.day} {ENGLISH_MONTHS[end.month - 1]}"
            )
        return f"{start.day}–{end.day} {ENGLISH_MONTHS[end.month - 1]}"

    @property
    def korean_range(self) -> str:
        start, end = self.start, self.end
        if start.year != end.year:
            return f"{start.year}년 {start.month}월 {start.day}일 – {end.year}년 {end.month}월 {end.day}일"
        if start.month != end.month:
            return f"{start.month}월 {start.day}일 – {end.month}월 {end.day}일"
        return f"{start.month}월 {start.day}일 – {end.day}일"

    @property
    def english_label(self) -> str:
        return f"Week {self.number}, {self.year} · {self.english_range}"
