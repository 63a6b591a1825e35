"""The upcoming public courses as an iCalendar file (RFC 5545) and an Atom feed (RFC 4287).

Both take the courses a `CourseFilter` finds, so that a feed follows exactly the filters of
/courses/. The iCalendar text is written here, by hand: it is a small, strict format, and the
`icalendar` package is only a test dependency, used to check what is written here.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from certification.core.text import xml_safe
from certification.directory.queries import CourseFilter
from certification.training.languages import language_names
from certification.training.models import Course

FEED_LIMIT = 500
ICS_FILENAME = "qgis-courses.ics"
ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"
MAX_LINE_OCTETS = 75

# Neither XML 1.0 nor iCalendar TEXT may carry these; a stray one would break every reader.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def feed_courses(course_filter: CourseFilter) -> list[Course]:
    """The courses of a feed, soonest first: one query, and one for all their trainers."""
    return list(course_filter.courses().for_listing()[:FEED_LIMIT])


def filter_query(course_filter: CourseFilter) -> str:
    """The query string of /courses/ that shows the same courses, with only the filters that
    apply (an invalid value is ignored by the form, so it is left out here too)."""
    values = {
        "words": course_filter.words,
        "country": course_filter.country,
        "language": course_filter.language,
        "mode": course_filter.mode,
        "starts_after": course_filter.starts_after.isoformat()
        if course_filter.starts_after
        else "",
        "starts_before": course_filter.starts_before.isoformat()
        if course_filter.starts_before
        else "",
        "organisation": course_filter.organisation,
    }
    query = urlencode({name: value for name, value in values.items() if value})
    return f"?{query}" if query else ""


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def plain(text: str) -> str:
    return xml_safe(CONTROL_CHARACTERS.sub("", text))


# --- What both feeds say about a course -------------------------------------------------------


@dataclass(frozen=True)
class CourseEntry:
    """One course as the feeds describe it, in the active language."""

    course: Course

    @property
    def url(self) -> str:
        return absolute(reverse("directory:course_public", args=[self.course.public_id]))

    @property
    def title(self) -> str:
        return plain(f"{self.course.course_type.title} — {self.course.organisation.legal_name}")

    @property
    def language(self) -> str:
        names = language_names([self.course.language])
        return names[0] if names else self.course.language

    @property
    def place(self) -> str:
        centre = self.course.training_centre
        if self.course.online or centre is None:
            return _("Online")
        address = ", ".join(line.strip() for line in centre.address.splitlines() if line.strip())
        parts = [centre.name, address, centre.city, str(centre.country.name)]
        return plain(", ".join(part for part in parts if part))

    @property
    def dates(self) -> str:
        starts = date_format(self.course.starts_on, "DATE_FORMAT")
        if self.course.ends_on == self.course.starts_on:
            return starts
        ends = date_format(self.course.ends_on, "DATE_FORMAT")
        return _("%(first)s to %(last)s") % {"first": starts, "last": ends}

    def details(self) -> list[str]:
        """The lines of the calendar event's description."""
        course = self.course
        hours = course.course_type.hours
        lines = [
            _("Organisation: %(name)s") % {"name": course.organisation.legal_name},
            _("Language: %(language)s") % {"language": self.language},
            ngettext("%(hours)d hour", "%(hours)d hours", hours) % {"hours": hours},
        ]
        trainers = [trainer.name for trainer in course.trainers.all()]
        if trainers:
            lines.append(
                ngettext("Trainer: %(names)s", "Trainers: %(names)s", len(trainers))
                % {"names": ", ".join(trainers)}
            )
        if course.registration_url:
            lines.append(_("Registration: %(url)s") % {"url": course.registration_url})
        lines.append(_("Course page: %(url)s") % {"url": self.url})
        return [plain(line) for line in lines]

    def summary(self) -> list[str]:
        """The lines of the Atom entry's summary."""
        return [
            self.dates,
            self.place,
            _("Language: %(language)s") % {"language": self.language},
            _("Organisation: %(name)s") % {"name": plain(self.course.organisation.legal_name)},
        ]


# --- iCalendar --------------------------------------------------------------------------------


def escape_text(value: str) -> str:
    """An RFC 5545 TEXT value: backslash, semicolon, comma and line breaks escaped."""
    value = plain(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


# An escape sequence is never split by folding, and neither is a UTF-8 character.
_FOLD_UNITS = re.compile(r"\\.|.", re.DOTALL)


def fold(line: str) -> str:
    """A content line folded into physical lines of at most 75 octets (RFC 5545, 3.1)."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for unit in _FOLD_UNITS.findall(line):
        octets = len(unit.encode())
        if size + octets > MAX_LINE_OCTETS:
            pieces.append("".join(current))
            # A continuation line starts with a space, which counts towards its 75 octets.
            current, size = [" "], 1
        current.append(unit)
        size += octets
    pieces.append("".join(current))
    return "\r\n".join(pieces)


def ics_date(day: date) -> str:
    return day.strftime("%Y%m%d")


def ics_datetime(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _event_lines(entry: CourseEntry, *, host: str, stamp: str) -> Iterator[str]:
    course = entry.course
    yield "BEGIN:VEVENT"
    yield f"UID:{course.public_id}@{host}"
    yield f"DTSTAMP:{stamp}"
    yield f"CREATED:{ics_datetime(course.created_at)}"
    yield f"DTSTART;VALUE=DATE:{ics_date(course.starts_on)}"
    # The end of an all-day event is exclusive: the day after the last day.
    yield f"DTEND;VALUE=DATE:{ics_date(course.ends_on + timedelta(days=1))}"
    yield f"SUMMARY:{escape_text(entry.title)}"
    yield f"LOCATION:{escape_text(entry.place)}"
    centre = course.training_centre
    if not course.online and centre is not None:
        yield f"GEO:{centre.latitude:f};{centre.longitude:f}"
    yield f"DESCRIPTION:{escape_text(chr(10).join(entry.details()))}"
    yield f"URL:{entry.url}"
    # Following a catalogue should not make anyone look busy.
    yield "TRANSP:TRANSPARENT"
    yield "END:VEVENT"


def calendar(courses: Iterable[Course], *, name: str) -> str:
    """The courses as one VCALENDAR of all-day events, with CRLF line ends."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    stamp = ics_datetime(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//QGIS.ORG//QGIS Certification courses//EN",
        "CALSCALE:GREGORIAN",
        # PUBLISH: DTSTAMP is when this file was written (RFC 5545, 3.8.7.2).
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"NAME:{escape_text(name)}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    for course in courses:
        lines.extend(_event_lines(CourseEntry(course), host=host, stamp=stamp))
    lines.append("END:VCALENDAR")
    return "".join(f"{fold(line)}\r\n" for line in lines)


# --- Atom -------------------------------------------------------------------------------------


def atom_feed(courses: Iterable[Course], *, title: str, query: str) -> Atom1Feed:
    """The courses as an Atom feed whose id and link are /courses/ with the same filters."""
    page = absolute(reverse("directory:course_list") + query)
    feed = Atom1Feed(
        title=title,
        link=page,
        description="",
        subtitle=_("Upcoming QGIS courses of certified organisations, soonest first."),
        language=get_language(),
        feed_url=absolute(reverse("directory:course_feed_atom") + query),
        feed_guid=page,
        author_name=_("QGIS Certification Programme"),
        author_link=absolute("/"),
    )
    for course in courses:
        entry = CourseEntry(course)
        feed.add_item(
            title=entry.title,
            link=entry.url,
            # Atom summaries are HTML: every line is escaped, only the line breaks are markup.
            description="<br>".join(escape(line) for line in entry.summary()),
            unique_id=f"urn:uuid:{course.public_id}",
            pubdate=course.created_at,
            updateddate=course.created_at,
            author_name=plain(course.organisation.legal_name),
            author_link=absolute(
                reverse("directory:organisation_public", args=[course.organisation.slug])
            ),
        )
    return feed
