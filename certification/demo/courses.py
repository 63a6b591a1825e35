"""Demo training centres, trainers, past and upcoming courses, attendees and certificates."""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from certification.billing.ledger import adjust_credits, balance
from certification.certificates.models import Certificate
from certification.certificates.services import issue_certificates
from certification.organisations.models import Organisation
from certification.training.models import Attendee, Course, CourseType, Trainer, TrainingCentre

CENTRES = {
    "geoskolan": [
        ("Geoskolan Stockholm", "Drottninggatan 12", "Stockholm", "SE", "59.332600", "18.064900"),
        ("Geoskolan Göteborg", "Kungsgatan 5", "Göteborg", "SE", "57.708900", "11.974600"),
        ("Geoskolan Malmö", "Stortorget 1", "Malmö", "SE", "55.605000", "13.003800"),
    ],
    "carto-lab": [
        ("Carto Lab London", "1 Map Street", "London", "GB", "51.507400", "-0.127800"),
        ("Carto Lab Manchester", "12 Deansgate", "Manchester", "GB", "53.480800", "-2.242600"),
    ],
    "open-geo-training": [
        ("Open Geo Berlin", "Kartenweg 3", "Berlin", "DE", "52.520000", "13.405000"),
        ("Open Geo München", "Marienplatz 8", "München", "DE", "48.137100", "11.575400"),
    ],
}
TRAINERS = {
    "geoskolan": [("Bob Berg", "bob@example.org"), ("Karin Lund", "")],
    "carto-lab": [("Carol Carter", "carol@example.org")],
    "open-geo-training": [("Jonas Becker", ""), ("Mehmet Yılmaz", "")],
}
ATTENDEES = [
    "Zoë Ångström", "Αλέξανδρος Παπαδόπουλος", "Дмитрий Иванов", "محمد العلي", "דוד כהן",
    "अनिता शर्मा", "สมชาย ใจดี", "王小明", "山田太郎", "김민준", "Łucja Wiśniewska", "Erik Öberg",
]  # fmt: skip


def _centres(organisation: Organisation) -> list[TrainingCentre]:
    for name, address, city, country, latitude, longitude in CENTRES.get(organisation.slug, []):
        TrainingCentre.objects.get_or_create(
            organisation=organisation,
            name=name,
            defaults={
                "address": address,
                "city": city,
                "country": country,
                "latitude": latitude,
                "longitude": longitude,
            },
        )
    return list(organisation.training_centres.all())


def _trainers(organisation: Organisation, users: dict[str, Any]) -> list[Trainer]:
    for name, email in TRAINERS.get(organisation.slug, []):
        Trainer.objects.get_or_create(
            organisation=organisation,
            name=name,
            defaults={"email": email, "user": users.get(email)},
        )
    return list(organisation.trainers.all())


def _course(
    organisation: Organisation,
    course_type: CourseType,
    *,
    starts_on: date,
    days: int,
    centre: TrainingCentre | None,
    trainers: list[Trainer],
    by: Any,
    public: bool = True,
) -> Course:
    course = Course.objects.create(
        organisation=organisation,
        course_type=course_type,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=days - 1),
        language=(course_type.languages or ["en"])[0],
        training_centre=centre,
        online=centre is None,
        is_public=public,
        capacity=16,
        created_by=by,
        registration_url=f"https://{organisation.slug}.example.org/register",
    )
    course.trainers.set(trainers[:1])
    return course


def ensure_courses(users: dict[str, Any]) -> int:
    """Courses for each certified demo organisation, once; certificates for past ones."""
    owners = {
        "geoskolan": "alice@example.org",
        "carto-lab": "carol@example.org",
        "open-geo-training": "dora@example.org",
    }
    created = 0
    today = timezone.localdate()
    for slug, owner_email in owners.items():
        organisation = Organisation.objects.get(slug=slug)
        if organisation.courses.exists() or organisation.status != Organisation.Status.CERTIFIED:
            continue
        owner = users[owner_email]
        centres, trainers = _centres(organisation), _trainers(organisation, users)
        course_types = list(organisation.course_types.approved())
        plan = [(-60, 0), (-20, 1), (14, 2), (35, None), (70, 0), (120, 1)]
        for number, (offset, centre_index) in enumerate(plan):
            centre = centres[centre_index % len(centres)] if centre_index is not None else None
            course = _course(
                organisation,
                course_types[number % len(course_types)],
                starts_on=today + timedelta(days=offset),
                days=2,
                centre=centre,
                trainers=trainers,
                by=owner,
                public=number != 4,
            )
            created += 1
            if offset < 0:
                attendees = [
                    Attendee.objects.create(
                        course=course,
                        name=name,
                        email=f"attendee{index}.{slug}.{number}@example.org",
                    )
                    for index, name in enumerate(ATTENDEES[number * 3 : number * 3 + 6])
                ]
                needed = len(attendees) - balance(organisation)
                if needed > 0:
                    adjust_credits(
                        organisation, by=None, amount=needed + 10, reason="Demo: prepaid credits"
                    )
                issue_certificates(
                    course,
                    [
                        (
                            attendee,
                            Certificate.Kind.COMPLETION if i % 4 else Certificate.Kind.ATTENDANCE,
                        )
                        for i, attendee in enumerate(attendees)
                    ],
                    by=owner,
                )
    return created
