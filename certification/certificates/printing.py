"""What is printed on a certificate, frozen in its snapshot when it is issued.

Issuing, re-issuing, the preview and the test factories build the snapshot here, so that a
certificate prints, verifies and is emailed with exactly the same details.
"""

from typing import Any

from django.conf import settings

from certification.training.models import Attendee, Course

PRINT_LANGUAGES = {code for code, _name in settings.LANGUAGES}


def print_language(course: Course) -> str:
    """Certificates are printed in the course's language where the platform speaks it."""
    return course.language if course.language in PRINT_LANGUAGES else settings.LANGUAGE_CODE


def printed_fields_for(
    course: Course, attendee: Attendee, kind: str, trainers: list[str]
) -> dict[str, Any]:
    """Everything printed on the certificate of `attendee`, as stored in its snapshot.

    The email is kept with it to deliver the certificate; it is never printed nor shown.
    """
    centre = course.training_centre
    return {
        "name": attendee.name,
        "email": attendee.email,
        "kind": kind,
        "course_title": course.course_type.title,
        "hours": course.course_type.hours,
        "qgis_version": course.course_type.qgis_version,
        "starts_on": course.starts_on.isoformat(),
        "ends_on": course.ends_on.isoformat(),
        "online": course.online,
        "place": f"{centre.name}, {centre.city}" if centre else "",
        "country": str(centre.country.code) if centre else "",
        "trainers": trainers,
        "organisation": course.organisation.legal_name,
        "organisation_slug": course.organisation.slug,
        "language": print_language(course),
    }
