"""Demo certified organisations around the world, so that the public map, the course list
and the statistics look alive: centres on five continents (Fiji across the antimeridian),
upcoming courses in many languages, and certificates issued over the last years."""

from datetime import timedelta
from decimal import Decimal
from typing import NamedTuple

from django.utils import timezone

from certification.accounts.models import User
from certification.billing.ledger import adjust_credits
from certification.certificates.models import Certificate
from certification.certificates.services import issue_certificates
from certification.organisations.models import Membership, Organisation
from certification.training.models import Attendee, Course, CourseType, TrainingCentre


class DemoOrganisation(NamedTuple):
    slug: str
    name: str
    country: str
    language: str
    course: str
    centres: list[tuple[str, str, str]]  # city, latitude, longitude


ORGANISATIONS = [
    DemoOrganisation("kartverkstedet", "Kartverkstedet AS", "NO", "nb", "QGIS for kommuner",
                     [("Oslo", "59.913900", "10.752200"), ("Bergen", "60.391300", "5.322100")]),
    DemoOrganisation("paikkatietokoulu", "Paikkatietokoulu Oy", "FI", "fi", "QGIS-peruskurssi",
                     [("Helsinki", "60.169900", "24.938400"), ("Tampere", "61.497800", "23.761000")]),
    DemoOrganisation("geoformacion", "GeoFormación S.L.", "ES", "es", "QGIS para urbanismo",
                     [("Madrid", "40.416800", "-3.703800"), ("Barcelona", "41.387400", "2.168600"),
                      ("Sevilla", "37.389100", "-5.984500")]),
    DemoOrganisation("formacao-sig", "Formação SIG Lda", "PT", "pt", "QGIS essencial",
                     [("Lisboa", "38.722300", "-9.139300"), ("Porto", "41.157900", "-8.629100")]),
    DemoOrganisation("cartographie-libre", "Cartographie Libre SARL", "FR", "fr",
                     "QGIS pour l'environnement",
                     [("Paris", "48.856600", "2.352200"), ("Lyon", "45.764000", "4.835700"),
                      ("Toulouse", "43.604700", "1.444200")]),
    DemoOrganisation("gis-opleidingen", "GIS Opleidingen BV", "NL", "nl", "QGIS voor waterbeheer",
                     [("Amsterdam", "52.367600", "4.904100"), ("Utrecht", "52.090700", "5.121400")]),
    DemoOrganisation("geodata-akademie", "Geodata Akademie GmbH", "AT", "de", "QGIS Aufbaukurs",
                     [("Wien", "48.208200", "16.373800"), ("Graz", "47.070700", "15.439500")]),
    DemoOrganisation("mappa-aperta", "Mappa Aperta Srl", "IT", "it", "QGIS per la protezione civile",
                     [("Roma", "41.902800", "12.496400"), ("Milano", "45.464200", "9.190000"),
                      ("Bologna", "44.494900", "11.342600")]),
    DemoOrganisation("otwarte-gis", "Otwarte GIS Sp. z o.o.", "PL", "pl", "QGIS w samorządzie",
                     [("Warszawa", "52.229700", "21.012200"), ("Kraków", "50.064700", "19.945000")]),
    DemoOrganisation("geoinformatika", "Geoinformatika s.r.o.", "CZ", "cs", "QGIS pro lesníky",
                     [("Praha", "50.075500", "14.437800"), ("Brno", "49.195100", "16.606800")]),
    DemoOrganisation("kenya-gis-institute", "Kenya GIS Institute", "KE", "en",
                     "QGIS for land administration",
                     [("Nairobi", "-1.292100", "36.821900"), ("Mombasa", "-4.043500", "39.668200")]),
    DemoOrganisation("tanzania-spatial", "Tanzania Spatial Training", "TZ", "sw",
                     "QGIS kwa mipango miji", [("Dar es Salaam", "-6.792400", "39.208300")]),
    DemoOrganisation("geocapacitacion", "GeoCapacitación SA", "AR", "es", "QGIS para el agro",
                     [("Buenos Aires", "-34.603700", "-58.381600"),
                      ("Córdoba", "-31.420100", "-64.188800")]),
    DemoOrganisation("geo-brasil", "Geo Brasil Treinamentos", "BR", "pt", "QGIS para saneamento",
                     [("São Paulo", "-23.550500", "-46.633300"), ("Brasília", "-15.793900", "-47.882800"),
                      ("Rio de Janeiro", "-22.906800", "-43.172900")]),
    DemoOrganisation("aotearoa-mapping", "Aotearoa Mapping Ltd", "NZ", "en",
                     "QGIS for regional councils",
                     [("Wellington", "-41.286500", "174.776200"), ("Auckland", "-36.848500", "174.763300")]),
    DemoOrganisation("pacific-gis", "Pacific GIS Training", "FJ", "en", "QGIS for island resilience",
                     [("Suva", "-18.141600", "178.441900"), ("Labasa", "-16.416700", "179.383300")]),
    DemoOrganisation("open-maps-japan", "Open Maps Japan", "JP", "ja", "QGIS入門",
                     [("Tokyo", "35.676200", "139.650300"), ("Osaka", "34.693700", "135.502300")]),
    DemoOrganisation("gis-nepal", "GIS Nepal Training Centre", "NP", "ne", "QGIS for disaster risk",
                     [("Kathmandu", "27.717200", "85.324000")]),
    DemoOrganisation("canada-geo-learning", "Canada Geo Learning", "CA", "en",
                     "QGIS for forestry",
                     [("Ottawa", "45.421500", "-75.697200"), ("Vancouver", "49.282700", "-123.120700")]),
    DemoOrganisation("open-gis-academy", "Open GIS Academy Inc.", "US", "en",
                     "QGIS for public health",
                     [("Denver", "39.739200", "-104.990300"), ("Boston", "42.360100", "-71.058900")]),
]  # fmt: skip
PEOPLE = ["Ana Silva", "Lena Berg", "Omar Haddad", "Mei Chen", "Juan Pérez", "Sara Kim"]
# Certificates issued this many days ago, so that the statistics show several years.
CERTIFICATE_AGES = [30, 400, 800]


def ensure_directory() -> int:
    """Create the demo organisations that do not exist yet; returns how many were made."""
    created = 0
    now = timezone.now()
    today = timezone.localdate()
    for number, demo in enumerate(ORGANISATIONS):
        if Organisation.objects.filter(slug=demo.slug).exists():
            continue
        organisation = Organisation.objects.create(
            slug=demo.slug,
            legal_name=demo.name,
            country=demo.country,
            address=demo.centres[0][0],
            website=f"https://{demo.slug}.example.org",
            contact_email=f"info@{demo.slug}.example.org",
            status=Organisation.Status.CERTIFIED,
            certified_at=now - timedelta(days=900 - number * 20),
        )
        course_type = CourseType.objects.create(
            organisation=organisation,
            title=demo.course,
            description="Hands-on QGIS: data, analysis and maps, with the course's own data.",
            learning_outcomes="Load and style data\nAnalyse it\nPrint and publish maps",
            hours=14 + 7 * (number % 3),
            qgis_version="3.40 LTR",
            languages=[demo.language, "en"] if demo.language != "en" else ["en"],
            status=CourseType.Status.APPROVED,
        )
        centres = [
            TrainingCentre.objects.create(
                organisation=organisation,
                name=f"{demo.name.split()[0]} {city}",
                address=f"{10 + index} Main Street",
                city=city,
                country=demo.country,
                latitude=Decimal(latitude),
                longitude=Decimal(longitude),
            )
            for index, (city, latitude, longitude) in enumerate(demo.centres)
        ]
        for index, offset in enumerate((10 + number, 40 + number * 2, 75 + number)):
            online = index == 2 and number % 2 == 0
            Course.objects.create(
                organisation=organisation,
                course_type=course_type,
                starts_on=today + timedelta(days=offset),
                ends_on=today + timedelta(days=offset + 1),
                language=course_type.languages[index % len(course_type.languages)],
                training_centre=None if online else centres[index % len(centres)],
                online=online,
                capacity=12,
                registration_url=f"https://{demo.slug}.example.org/courses",
            )
        _past_course_with_certificates(organisation, course_type, centres[0], number)
        created += 1
    return created


def _past_course_with_certificates(
    organisation: Organisation, course_type: CourseType, centre: TrainingCentre, number: int
) -> None:
    age = CERTIFICATE_AGES[number % len(CERTIFICATE_AGES)]
    starts_on = timezone.localdate() - timedelta(days=age + 2)
    course = Course.objects.create(
        organisation=organisation,
        course_type=course_type,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=1),
        language=course_type.languages[0],
        training_centre=centre,
    )
    attendees = [
        Attendee.objects.create(
            course=course, name=name, email=f"{name.split()[0].lower()}.{number}@example.org"
        )
        for name in PEOPLE[: 3 + number % 4]
    ]
    # Only an owner or manager of the organisation may issue its certificates.
    owner = User.objects.create_user(f"owner@{organisation.slug}.example.org", name="Demo owner")
    Membership.objects.create(user=owner, organisation=organisation, role=Membership.Role.OWNER)
    adjust_credits(organisation, by=None, amount=len(attendees), reason="Demo: prepaid credits")
    issued = issue_certificates(
        course, [(attendee, Certificate.Kind.COMPLETION) for attendee in attendees], by=owner
    )
    Certificate.objects.filter(pk__in=[c.pk for c in issued]).update(
        issued_at=timezone.now() - timedelta(days=age)
    )
