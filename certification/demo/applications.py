"""Demo applications in every state of the workflow, walked through the real services."""

from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from certification.applications import services
from certification.applications.models import Application, Contribution, Status, UserGroup
from certification.core.audit import record_event
from certification.organisations.models import Membership, Organisation
from certification.training.models import CourseMaterial, CourseType

DEMO_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

USER_GROUPS = [
    ("QGIS Sverige", "qgis-sverige", ["SE"], "https://qgis.se"),
    ("QGIS UK", "qgis-uk", ["GB", "IE"], "https://uk.qgis.example.org"),
    ("QGIS Deutschland", "qgis-de", ["DE", "AT", "CH"], "https://qgis.de.example.org"),
    ("QGIS España", "qgis-es", ["ES"], "https://qgis.es.example.org"),
    ("QGIS Nordic", "qgis-nordic", ["NO", "DK", "FI", "IS"], "https://nordic.qgis.example.org"),
    ("QGIS Portugal", "qgis-pt", ["PT"], "https://qgis.pt.example.org"),
    ("QGIS France", "qgis-fr", ["FR", "BE", "LU"], "https://qgis.fr.example.org"),
]


@dataclass(frozen=True)
class DemoApplication:
    slug: str
    legal_name: str
    country: str
    city_address: str
    owner: str
    target: Status
    contributions: list[tuple[str, str, int]] = field(default_factory=list)
    courses: list[tuple[str, int, list[str]]] = field(default_factory=list)


DEMO_APPLICATIONS = [
    DemoApplication(
        "geoskolan",
        "Geoskolan AB",
        "SE",
        "Drottninggatan 12\n111 51 Stockholm",
        "alice@example.org",
        Status.APPROVED,
        [
            ("translation", "Swedish translation of the QGIS desktop and the user manual.", 2016),
            ("user_group", "Co-organiser of the yearly QGIS Sverige user meeting.", 2018),
            ("open_course_material", "Open QGIS course for municipalities, CC BY-SA.", 2020),
        ],
        [("QGIS grundkurs", 14, ["sv"]), ("QGIS for spatial analysis", 21, ["sv", "en"])],
    ),
    DemoApplication(
        "carto-lab",
        "Carto Lab Ltd",
        "GB",
        "1 Map Street\nLondon EC1A 1AA",
        "carol@example.org",
        Status.APPROVED,
        [
            ("plugins", "Author of three plugins in the official QGIS plugin repository.", 2017),
            ("bug_reports", "Over 80 confirmed bug reports with test data.", 2015),
        ],
        [("QGIS essentials", 12, ["en"])],
    ),
    DemoApplication(
        "open-geo-training",
        "Open Geo Training GmbH",
        "DE",
        "Kartenweg 3\n10115 Berlin",
        "dora@example.org",
        Status.APPROVED,
        [
            ("feature_funding", "Co-funded the mesh layer improvements of QGIS 3.30.", 2022),
            ("sponsorship", "Bronze sustaining member of QGIS.ORG.", 2019),
        ],
        [("QGIS für Einsteiger", 16, ["de"]), ("QGIS Processing und Modelle", 8, ["de", "en"])],
    ),
    DemoApplication(
        "instituto-geografico-abierto",
        "Instituto Geográfico Abierto",
        "ES",
        "Calle del Mapa 7\n28001 Madrid",
        "pablo@example.org",
        Status.COMMUNITY_REVIEW,
        [("documentation", "Spanish QGIS training manual, updated for every LTR.", 2014)],
        [("Introducción a QGIS", 20, ["es"])],
    ),
    DemoApplication(
        "kentro-chartografias",
        "Κέντρο Χαρτογραφίας Αθηνών",
        "GR",
        "Οδός Χάρτη 5\n105 57 Αθήνα",
        "nikos@example.org",
        Status.PSC_REVIEW,
        [("translation", "Greek translation of the QGIS interface.", 2019)],
        [("Εισαγωγή στο QGIS", 12, ["el"])],
    ),
    DemoApplication(
        "nordkart",
        "Nordkart AS",
        "NO",
        "Karl Johans gate 1\n0154 Oslo",
        "ola@example.org",
        Status.SUBMITTED,
        [("development", "Contributed fixes to the GPS tools of QGIS.", 2021)],
        [("QGIS for field work", 7, ["nb", "en"])],
    ),
    DemoApplication(
        "mapa-vivo",
        "Mapa Vivo Lda",
        "PT",
        "Rua do Mapa 9\n1100-001 Lisboa",
        "ines@example.org",
        Status.INITIAL_REVIEW,
        [("books", "Author of “QGIS na prática”, a Portuguese QGIS book.", 2018)],
        [("QGIS na prática", 24, ["pt"])],
    ),
    DemoApplication(
        "tanzania-mapping-hub",
        "Tanzania Mapping Hub",
        "TZ",
        "Samora Avenue 4\nDar es Salaam",
        "amani@example.org",
        Status.CHANGES_REQUESTED,
        [("user_group", "Runs monthly open mapping evenings with QGIS.", 2020)],
        [("QGIS for humanitarian mapping", 10, ["sw", "en"])],
    ),
    DemoApplication(
        "kartografie-praha",
        "Kartografie Praha s.r.o.",
        "CZ",
        "Mapová 2\n110 00 Praha",
        "jana@example.org",
        Status.DRAFT,
        [("translation", "Czech translation of the QGIS documentation.", 2017)],
        [],
    ),
    DemoApplication(
        "atlas-formation",
        "Atlas Formation SARL",
        "FR",
        "12 rue des Cartes\n75002 Paris",
        "luc@example.org",
        Status.REJECTED,
        [("bug_reports", "A few bug reports.", 2023)],
        [("QGIS découverte", 7, ["fr"])],
    ),
    DemoApplication(
        "geo-start",
        "Geo Start Oy",
        "FI",
        "Karttakatu 5\n00100 Helsinki",
        "aino@example.org",
        Status.WITHDRAWN,
        [("open_course_material", "Finnish QGIS exercises, openly licensed.", 2021)],
        [("QGIS alkeet", 8, ["fi"])],
    ),
    DemoApplication(
        "old-maps",
        "Old Maps Ltd",
        "IE",
        "3 Harbour Road\nDublin 2",
        "sean@example.org",
        Status.EXPIRED,
        [],
        [],
    ),
]


def ensure_user_groups(users: dict[str, Any]) -> None:
    for name, slug, countries, website in USER_GROUPS:
        group, _created = UserGroup.objects.get_or_create(
            slug=slug,
            # CountryField(multiple=True) takes a list; django-stubs types it as one country.
            defaults={"name": name, "countries": countries, "website": website},  # type: ignore[misc]
        )
        group.reviewers.add(users["ugo@example.org"])


def _build_draft(demo: DemoApplication, owner: Any) -> Application:
    organisation = Organisation.objects.filter(slug=demo.slug).first()
    if organisation is None:
        organisation = Organisation.objects.create(
            slug=demo.slug,
            legal_name=demo.legal_name,
            country=demo.country,
            address=demo.city_address,
            website=f"https://{demo.slug}.example.org",
            contact_email=f"info@{demo.slug}.example.org",
        )
        record_event("organisation.created", actor=owner, target=organisation)
    Membership.objects.get_or_create(
        user=owner, organisation=organisation, defaults={"role": Membership.Role.OWNER}
    )
    application = services.start_application(by=owner, organisation=organisation)
    application.training_activity = (
        f"{demo.legal_name} teaches QGIS to public administrations, companies and students, "
        "in classrooms and online, about twenty courses a year."
    )
    application.save(update_fields=["training_activity"])
    for category, description, year in demo.contributions:
        services.save_contribution(
            application,
            Contribution(
                category=category,
                description=description,
                start_year=year,
                evidence_links=[f"https://{demo.slug}.example.org/qgis"],
            ),
            by=owner,
        )
    for title, hours, languages in demo.courses:
        course_type = CourseType(
            title=title,
            hours=hours,
            languages=languages,
            qgis_version="3.40 LTR",
            description=f"{title}: a hands-on course with real data.",
            learning_outcomes="Load and style data\nAnalyse with processing tools\nLay out a print map",
        )
        services.save_course_type(application, course_type, by=owner)
        services.add_material(
            application,
            course_type,
            by=owner,
            kind=CourseMaterial.Kind.LECTURE,
            title="Slides",
            upload=SimpleUploadedFile("slides.pdf", DEMO_PDF),
        )
        services.add_material(
            application,
            course_type,
            by=owner,
            kind=CourseMaterial.Kind.DATA,
            title="Exercise data",
            url=f"https://{demo.slug}.example.org/data.zip",
        )
    if demo.target != Status.DRAFT:
        services.accept_declaration(application, by=owner)
    return application


def _walk(application: Application, target: Status, staff: dict[str, Any]) -> None:
    # The demo's applications are started by their owner, so created_by is always set.
    assert application.created_by is not None
    owner, rita, ugo, paula = (
        application.created_by,
        staff["rita"],
        staff["ugo"],
        staff["paula"],
    )
    if target == Status.EXPIRED:
        Application.objects.filter(pk=application.pk).update(
            status=Status.EXPIRED, closed_at=timezone.now(), status_changed_at=timezone.now()
        )
        record_event("application.expired", actor=None, target=application)
        return
    if target == Status.DRAFT:
        return
    services.submit_application(application, by=owner)
    if target == Status.WITHDRAWN:
        services.withdraw_application(application, by=owner, reason="We will apply next year.")
        return
    if target == Status.SUBMITTED:
        return
    services.start_initial_review(application, by=rita)
    services.save_checklist(
        application,
        by=rita,
        checklist={
            "material_current": True,
            "accurate": True,
            "quality": True,
            "contributions_verified": target != Status.CHANGES_REQUESTED,
        },
    )
    if target == Status.INITIAL_REVIEW:
        return
    if target == Status.CHANGES_REQUESTED:
        services.request_changes(
            application,
            by=rita,
            message="Please add the **exercise data** and update the slides to QGIS 3.40 LTR.",
        )
        return
    requests = services.send_to_community_review(application, by=rita)
    if target == Status.COMMUNITY_REVIEW:
        return
    for opinion_request in requests:
        verdict = "do_not_recommend" if target == Status.REJECTED else "recommend"
        services.record_opinion(
            opinion_request,
            by=ugo,
            verdict=verdict,
            reasons="Known in the local community for years."
            if verdict == "recommend"
            else "We have not seen this organisation in the community.",
        )
    application.refresh_from_db()
    if target == Status.PSC_REVIEW:
        return
    outcome = "reject" if target == Status.REJECTED else "approve"
    services.record_decision(
        application,
        by=paula,
        outcome=outcome,
        votes_for=6 if outcome == "approve" else 1,
        votes_against=0 if outcome == "approve" else 5,
        abstentions=1,
        rationale="A long record of contributions and good material."
        if outcome == "approve"
        else "The contributions to QGIS are too limited so far; the material targets QGIS 2.18.",
    )


def ensure_applications(users: dict[str, Any]) -> int:
    staff = {name: users[f"{name}@example.org"] for name in ("rita", "ugo", "paula")}
    created = 0
    for demo in DEMO_APPLICATIONS:
        if Application.objects.filter(organisation__slug=demo.slug).exists():
            continue
        application = _build_draft(demo, users[demo.owner])
        _walk(application, demo.target, staff)
        created += 1
    return created
