"""Every model is in the admin, with search and list filters that work."""

import pytest
from django.contrib import admin
from django.test import Client

from certification.accounts.models import User
from certification.accounts.tests.factories import UserFactory, enable_totp
from certification.core.tests.assertions import assert_unchanged

pytestmark = pytest.mark.django_db

OWN_APPS = {
    "accounts",
    "core",
    "organisations",
    "training",
    "applications",
    "billing",
    "certificates",
}


@pytest.fixture
def superuser_client(client: Client) -> Client:
    user = UserFactory(is_superuser=True, is_staff=True)
    enable_totp(user)
    client.force_login(user)
    return client


def _own_model_admins() -> list:
    return [
        model_admin
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in OWN_APPS
    ]


def test_every_own_model_is_registered() -> None:
    from django.apps import apps

    registered = {model for model in admin.site._registry}
    for app_label in OWN_APPS:
        for model in apps.get_app_config(app_label).get_models():
            assert model in registered, f"{model.__name__} is not in the admin"


@pytest.mark.parametrize("model_admin", _own_model_admins(), ids=lambda m: str(m))
def test_every_changelist_searches_and_filters(
    superuser_client: Client, model_admin, alice: User, bob: User
) -> None:
    assert model_admin.search_fields, "search is missing"
    assert model_admin.list_filter, "filters are missing"
    meta = model_admin.model._meta
    url = f"/admin/{meta.app_label}/{meta.model_name}/"

    assert superuser_client.get(url).status_code == 200
    assert superuser_client.get(url, {"q": "alice"}).status_code == 200


def test_the_audit_log_cannot_be_edited_in_the_admin(superuser_client: Client, alice) -> None:
    from certification.core.audit import record_event

    event = record_event("organisation.updated", actor=alice)

    with assert_unchanged(event):
        response = superuser_client.post(
            f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"}
        )

    assert response.status_code == 403


def test_organisation_members_cannot_open_the_admin(client_for, alice: User) -> None:
    response = client_for(alice).get("/admin/")

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_certification_team_sees_organisations_in_the_admin(client_for, rita: User) -> None:
    client = client_for(rita)

    assert client.get("/admin/organisations/organisation/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/accounts/user/add/").status_code == 403
