"""Every listing of the back office: who reaches it, and that its query count does not grow with the data."""

import pytest
from django.test import Client

from funding.roles import Role
from tests.admin_helpers import (
    FUNDING_LISTINGS,
    OFFICE_LISTINGS,
    PROGRAMMES_LISTINGS,
    RETURNS_LISTINGS,
    REVIEW_QUEUE,
    USERS_LISTING,
    admin_url,
    build_rows,
    count_queries,
    superuser,
)
from tests.factories import UserFactory, office_user

pytestmark = pytest.mark.django_db

OFFICE_ROLES_WITH_DATA = [Role.COMMISSIONING_OFFICER, Role.FINANCE_OFFICER, Role.BOARD_VIEWER]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", OFFICE_ROLES_WITH_DATA)
@pytest.mark.parametrize("viewset", OFFICE_LISTINGS)
def test_every_listing_opens_for_every_office_role(viewset, role):
    build_rows(viewset, 3)
    response = client_for(office_user(role)).get(admin_url(viewset))
    assert response.status_code == 200
    assert len(response.context["object_list"]) >= 3


@pytest.mark.parametrize("viewset", OFFICE_LISTINGS)
def test_a_content_editor_reaches_the_admin_but_none_of_the_funding_listings(viewset):
    client = client_for(office_user(Role.CONTENT_EDITOR))
    response = client.get(admin_url(viewset))
    assert response.status_code == 302
    assert response.url == "/admin/"


def test_the_menus_are_grouped_as_a_commissioner_thinks(officer_client):
    response = officer_client.get("/admin/")
    content = response.content.decode()
    for label in ["Funding", "Programmes", "Returns", "Funding streams", "Overrides", "Budget lines", "Variations"]:
        assert f'"{label}"' in content
    menu = content[content.index('"Funding"') :]
    # Each group lists its items in the order a commissioner works through them.
    funding = ["Organisations", "Areas", "Funding streams", "Allocations", "Overrides"]
    assert [menu.index(f'"{label}"') for label in funding] == sorted(menu.index(f'"{label}"') for label in funding)


def test_a_content_editor_is_not_offered_the_funding_menus(client, content_editor):
    client.force_login(content_editor)
    content = client.get("/admin/").content.decode()
    for label in ["Funding", "Programmes", "Returns", "Funding streams", "Overrides"]:
        assert f'"{label}"' not in content


@pytest.mark.parametrize("viewset", OFFICE_LISTINGS)
def test_a_listing_refreshes_its_results_when_filtered(board_client, viewset):
    build_rows(viewset, 2)
    response = board_client.get(admin_url(viewset, "index_results") + "?financial_year=2023")
    assert response.status_code == 200


@pytest.mark.parametrize("client_fixture", ["provider_client", "provider_editor"])
@pytest.mark.parametrize("viewset", ["wagtailadmin_home"] + OFFICE_LISTINGS)
def test_provider_users_are_kept_out_of_the_admin(request, client_fixture, viewset):
    if client_fixture == "provider_editor":
        client = client_for(request.getfixturevalue("provider_editor"))
    else:
        client = request.getfixturevalue(client_fixture)
    url = "/admin/" if viewset == "wagtailadmin_home" else admin_url(viewset)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == "/portal/"  # sent to the provider portal, still signed in


# The office reads each listing at both sizes; the users listing is the superuser's.
QUERY_COUNT_LISTINGS = (
    FUNDING_LISTINGS + ["outturn_overrides"] + PROGRAMMES_LISTINGS + RETURNS_LISTINGS + [REVIEW_QUEUE]
)


@pytest.mark.parametrize("viewset", QUERY_COUNT_LISTINGS + [USERS_LISTING])
def test_a_listing_makes_as_many_queries_for_210_rows_as_for_10(viewset):
    user = superuser() if viewset == USERS_LISTING else office_user(Role.COMMISSIONING_OFFICER)
    client = client_for(user)
    url = admin_url(viewset)
    build_rows(viewset, 10)
    client.get(url)  # the first request fills per-process caches (content types, site)
    at_10 = count_queries(client, url)
    build_rows(viewset, 200, start=10)
    at_210 = count_queries(client, url)
    print(f"\nqueries {viewset}: {at_10} at 10 rows, {at_210} at 210 rows")
    assert at_10 == at_210


def test_a_superuser_sees_every_listing(client):
    client.force_login(superuser())
    for viewset in OFFICE_LISTINGS + [USERS_LISTING]:
        assert client.get(admin_url(viewset)).status_code == 200


def test_a_user_without_any_role_is_kept_out(client):
    client.force_login(UserFactory(roles=[]))
    assert client.get("/admin/").status_code == 302
