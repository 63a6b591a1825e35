import pytest
from django.core.files.base import ContentFile
from django.test import Client

from certification.applications.models import Application, Contribution
from certification.applications.tests.factories import ApplicationFactory, ContributionFactory
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation
from certification.training.models import CourseType
from certification.training.tests.factories import CourseFactory, CourseTypeFactory

pytestmark = pytest.mark.django_db

URL = "/organisations/geoskolan/"


def add_contribution(
    organisation: Organisation, *, published: bool = True, **fields: object
) -> Contribution:
    application = ApplicationFactory(organisation=organisation, status=Application.Status.APPROVED)
    values = {"description": "Swedish translation of the QGIS user manual.", **fields}
    return ContributionFactory(application=application, published=published, **values)


def test_it_shows_the_profile_of_a_certified_organisation(client: Client, alice_org) -> None:
    alice_org.vat_number = "SE556677889901"
    alice_org.logo.save("logo.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)

    response = client.get(URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Geoskolan AB</h1>" in content
    assert "Sweden" in content
    assert "Storgatan 1<br>111 22 Stockholm" in content
    assert '<a href="https://example.org" rel="noopener">' in content
    assert 'href="mailto:info@geoskolan.example.org"' in content
    # Served through the site, so that it works with private object storage too.
    assert 'src="/organisations/geoskolan/logo/"' in content
    assert "SE556677889901" not in content  # the VAT number is for invoices, not the public


def test_it_has_open_graph_tags(client: Client, alice_org) -> None:
    alice_org.logo.save("logo.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)

    content = client.get(URL).content.decode()

    assert '<meta property="og:title" content="Geoskolan AB — QGIS certified training">' in content
    assert (
        '<meta property="og:description" content="Geoskolan AB is a QGIS certified training organisation in Sweden'
        in content
    )
    assert (
        '<meta property="og:url" content="http://testserver/organisations/geoskolan/">' in content
    )
    assert (
        '<meta property="og:image" content="http://testserver/organisations/geoskolan/logo/">'
        in content
    )


@pytest.mark.parametrize(
    "status",
    [
        Organisation.Status.APPLICANT,
        Organisation.Status.SUSPENDED,
        Organisation.Status.ARCHIVED,
    ],
)
def test_only_certified_organisations_have_a_public_page(client: Client, alice_org, status) -> None:
    alice_org.status = status
    alice_org.save()

    assert client.get(URL).status_code == 404


def test_an_unknown_organisation_is_a_404(client: Client) -> None:
    assert client.get("/organisations/nowhere/").status_code == 404


def test_it_shows_only_approved_course_types(client: Client, alice_org, carol_org) -> None:
    CourseTypeFactory.create(
        organisation=alice_org,
        title="QGIS for beginners",
        status=CourseType.Status.APPROVED,
        learning_outcomes="Load data\n\nStyle layers",
        hours=14,
        qgis_version="3.40 LTR",
        languages=["sv", "en"],
    )
    for status in ["draft", "proposed", "rejected", "retired"]:
        CourseTypeFactory.create(
            organisation=alice_org, title=f"Secret {status} course", status=status
        )
    CourseTypeFactory.create(organisation=carol_org, title="Carol's course", status="approved")

    content = client.get(URL).content.decode()

    assert "QGIS for beginners" in content
    assert "14 hours" in content
    assert "QGIS 3.40 LTR" in content
    assert "Swedish, English" in content
    assert "<li>Load data</li>" in content
    assert "<li>Style layers</li>" in content
    assert "Secret" not in content
    assert "Carol" not in content


def test_it_shows_only_published_contributions_grouped_by_category(
    client: Client, alice_org, carol_org
) -> None:
    add_contribution(
        alice_org,
        category="plugins",
        description="The Kartverktyg plugin.",
        start_year=2020,
        end_year=2023,
    )
    add_contribution(
        alice_org,
        category="development",
        description="Fixes to the print layout.",
        start_year=2021,
        end_year=2021,
    )
    add_contribution(alice_org, description="Swedish translation.", start_year=2018)
    add_contribution(alice_org, published=False, description="A draft contribution.")
    add_contribution(carol_org, description="Carol's contribution.")

    content = client.get(URL).content.decode()

    assert "A draft contribution." not in content
    assert "Carol" not in content
    development = content.index("Development of QGIS")
    translation = content.index("<h3>Translation</h3>")
    plugins = content.index("<h3>Plugins</h3>")
    assert development < translation < plugins  # the programme's order of categories
    assert content.index("Fixes to the print layout.") < translation
    assert '<span class="period">2021</span>' in content
    assert '<span class="period">2020–2023</span>' in content
    assert '<span class="period">2018–</span>' in content


def test_evidence_links_are_nofollow_and_only_web_addresses_are_links(
    client: Client, alice_org
) -> None:
    add_contribution(
        alice_org,
        evidence_links=[
            "https://github.com/qgis/QGIS/pull/1",
            "javascript:alert(1)",
            "ftp://files.example.org/book.pdf",
        ],
    )

    content = client.get(URL).content.decode()

    assert '<a href="https://github.com/qgis/QGIS/pull/1" rel="nofollow noopener">' in content
    assert 'href="javascript' not in content
    assert 'href="ftp' not in content
    assert "<li>javascript:alert(1)</li>" in content


def test_user_content_is_escaped(client: Client, alice_org) -> None:
    alice_org.address = "<script>alert('address')</script>"
    alice_org.save()
    add_contribution(alice_org, description="<img src=x onerror=alert(1)>")
    CourseTypeFactory.create(organisation=alice_org, status="approved", title="<b>Bold</b>")

    content = client.get(URL).content.decode()

    assert "<script>alert" not in content
    assert "<img src=x" not in content
    assert "<b>Bold</b>" not in content
    assert "&lt;b&gt;Bold&lt;/b&gt;" in content


def test_it_says_so_when_there_is_nothing_to_show_yet(client: Client, alice_org) -> None:
    content = client.get(URL).content.decode()

    assert "No approved course types yet." in content
    assert "No contributions published yet." in content


def test_members_see_the_same_public_page(client_for, alice, alice_org) -> None:
    CourseTypeFactory.create(organisation=alice_org, title="Hidden draft", status="draft")

    response = client_for(alice).get(URL)

    assert response.status_code == 200
    assert "Hidden draft" not in response.content.decode()


def test_it_runs_the_same_queries_for_ten_times_the_data(
    client: Client, alice_org, django_assert_num_queries
) -> None:
    def add(count: int) -> None:
        for number in range(count):
            CourseTypeFactory.create(organisation=alice_org, status="approved", languages=["sv"])
            CourseFactory.create(organisation=alice_org, course_type__title=f"Course {number}")
            add_contribution(
                alice_org,
                category=Contribution.Category.values[number % len(Contribution.Category.values)],
                evidence_links=[
                    f"https://example.org/{number}/a",
                    f"https://example.org/{number}/b",
                ],
            )

    add(2)
    # The organisation, course types, contributions, upcoming courses and their trainers,
    # training centres.
    with django_assert_num_queries(6) as few:
        client.get(URL)
    add(18)

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(URL)

    content = response.content.decode()
    assert content.count('class="course-type"') == 40  # with the courses' own types
    assert content.count('class="course-card"') == 20
    assert content.count('rel="nofollow noopener"') == 40


def test_it_is_read_only(client: Client, alice_org) -> None:
    with assert_unchanged(alice_org):
        assert client.post(URL).status_code == 405


def test_the_logo_is_served_for_a_certified_organisation(client, alice_org) -> None:
    alice_org.logo.save("logo.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)

    response = client.get("/organisations/geoskolan/logo/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=3600"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_an_applicants_logo_is_private_to_its_members(client, client_for, alice, alice_org) -> None:
    alice_org.status = "applicant"
    alice_org.save()
    alice_org.logo.save("logo.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)

    assert client.get("/organisations/geoskolan/logo/").status_code == 404
    response = client_for(alice).get("/organisations/geoskolan/logo/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=300"


def test_no_logo_is_a_404(client, alice_org) -> None:
    assert client.get("/organisations/geoskolan/logo/").status_code == 404
