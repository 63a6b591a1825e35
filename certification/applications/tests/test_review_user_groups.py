"""The certification team manages the local user groups and their reviewers."""

import pytest
from django.core import mail
from django.urls import reverse

from certification.accounts.roles import GlobalRole, has_role
from certification.accounts.tests.factories import UserFactory
from certification.applications.models import UserGroup
from certification.applications.tests.factories import UserGroupFactory
from certification.core.models import AuditEvent
from certification.core.tests.assertions import assert_unchanged

pytestmark = pytest.mark.django_db

LIST = reverse("review:user_groups")
CREATE = reverse("review:user_group_create")


def group_data(**overrides) -> dict:
    return {
        "name": "QGIS Norge",
        "slug": "qgis-norge",
        "countries": ["NO", "SJ"],
        "website": "https://qgis.no",
        "contact_email": "styret@qgis.no",
        "is_active": "on",
        "reviewer_emails": "",
        **overrides,
    }


def test_the_team_lists_the_user_groups(client_for, rita, ugo) -> None:
    UserGroupFactory(name="QGIS Sverige", countries=["SE"], reviewers=[ugo])

    response = client_for(rita).get(LIST)

    html = response.content.decode()
    assert response.status_code == 200
    assert "QGIS Sverige" in html
    assert "Sweden" in html
    assert "ugo@example.org" in html
    assert reverse("review:user_group_create") in html


def test_an_empty_list_says_what_happens_without_groups(client_for, rita) -> None:
    assert "goes straight to the PSC" in client_for(rita).get(LIST).content.decode()


@pytest.mark.parametrize("persona", ["alice", "carol", "ugo", "paula", "tom"])
def test_only_the_team_manages_user_groups(request, client_for, persona) -> None:
    client = client_for(request.getfixturevalue(persona))
    group = UserGroupFactory()
    edit = reverse("review:user_group_edit", args=[group.slug])

    assert client.get(LIST).status_code == 403
    assert client.get(CREATE).status_code == 403
    assert client.get(edit).status_code == 403
    with assert_unchanged(group, UserGroup):
        assert client.post(CREATE, group_data()).status_code == 403
        assert client.post(edit, group_data()).status_code == 403
    assert UserGroup.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client_for) -> None:
    for address in (LIST, CREATE):
        response = client_for(None).get(address)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_the_team_creates_a_group_and_its_new_reviewers_get_the_role(
    client_for, rita, ugo, django_capture_on_commit_callbacks
) -> None:
    newcomer = UserFactory(email="nina@example.no")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(rita).post(
            CREATE, group_data(reviewer_emails="Nina@Example.no\nugo@example.org")
        )

    assert response.status_code == 302
    assert response["Location"] == LIST
    group = UserGroup.objects.get()
    assert [c.code for c in group.countries] == ["NO", "SJ"]
    assert set(group.reviewers.all()) == {newcomer, ugo}
    assert has_role(newcomer, GlobalRole.USER_GROUP_REVIEWER)
    assert [m.to for m in mail.outbox] == [["nina@example.no"]]  # ugo had the role already
    assert AuditEvent.objects.filter(action="user_group.created").exists()


def test_the_team_edits_a_group(client_for, rita, ugo) -> None:
    group = UserGroupFactory(name="QGIS Sverige", slug="sverige", reviewers=[ugo])
    edit = reverse("review:user_group_edit", args=["sverige"])

    form = client_for(rita).get(edit)
    response = client_for(rita).post(
        edit, group_data(name="QGIS Sverige", slug="sverige", countries=["SE"], is_active="")
    )

    assert "ugo@example.org" in form.content.decode()
    assert response.status_code == 302
    group.refresh_from_db()
    assert not group.is_active
    assert list(group.reviewers.all()) == []


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"reviewer_emails": "nobody@example.org"}, "No account uses these addresses: nobody@"),
        ({"reviewer_emails": "not an address"}, "These are not email addresses"),
        ({"countries": []}, "This field is required."),
        ({"countries": ["XX"]}, "Select a valid choice."),
        ({"name": ""}, "This field is required."),
        ({"slug": "Not a slug!"}, "Enter a valid “slug”"),
        ({"website": "javascript:alert(1)"}, "Enter a valid URL."),
    ],
)
def test_bad_groups_are_refused(client_for, rita, data, error) -> None:
    response = client_for(rita).post(CREATE, group_data(**data))

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not UserGroup.objects.exists()


def test_names_and_slugs_are_unique(client_for, rita) -> None:
    UserGroupFactory(name="QGIS Norge", slug="qgis-norge")

    response = client_for(rita).post(CREATE, group_data())

    assert response.status_code == 400
    assert UserGroup.objects.count() == 1


def test_an_unknown_group_is_not_found(client_for, rita) -> None:
    response = client_for(rita).get(reverse("review:user_group_edit", args=["nope"]))

    assert response.status_code == 404
