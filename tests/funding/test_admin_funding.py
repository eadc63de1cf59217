"""The Funding menu of the back office: organisations, areas, streams with their allocations, users."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from wagtail.models import ModelLogEntry

from funding.admin_forms import ORGANISATION_REQUIRED_FOR_PROVIDER_ROLE
from funding.models import Allocation, FundingStream, Organisation, User
from funding.money import gbp
from funding.roles import Role
from tests.admin_helpers import (
    ADDABLE_LISTINGS,
    SETUP_LISTINGS,
    admin_url,
    funder,
    stream_form_data,
    superuser,
)
from tests.factories import AllocationFactory, FunderFactory, FundingStreamFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def listed(response) -> set:
    return {row.pk for row in response.context["object_list"]}


# --- Funding streams through the admin ------------------------------------------------------------------------


def test_an_officer_creates_a_stream_with_its_allocations(officer_client, officer):
    home_office = funder()
    data = stream_form_data(funder=home_office, allocations=[(2023, "323200.00"), (2024, "323200.00")])
    response = officer_client.post(admin_url("outturn_streams", "add"), data)
    assert response.url == admin_url("outturn_streams")
    stream = FundingStream.objects.get(name="Serious Violence Duty")
    assert stream.total == gbp("969600.00")
    assert sorted(stream.allocations.values_list("financial_year", flat=True)) == [2023, 2024]
    entry = ModelLogEntry.objects.get(object_id=str(stream.pk), content_type__model="fundingstream")
    assert (entry.action, entry.user) == ("wagtail.create", officer)


def test_allocations_past_the_total_are_refused_with_the_service_message_and_nothing_saved(officer_client):
    data = stream_form_data(funder=funder(), total="969600.00", allocations=[(2023, "600000.00"), (2024, "400000.00")])
    response = officer_client.post(admin_url("outturn_streams", "add"), data)
    assert response.status_code == 200
    message = (
        "Allocations to Serious Violence Duty would total £1,000,000.00, £30,400.00 more than its total of "
        "£969,600.00. Reduce an allocation: £0.00 is not yet allocated."
    )
    assert response.context["form"].non_field_errors() == [message]
    assert escape(message) in response.content.decode()
    assert not FundingStream.objects.exists()
    assert not Allocation.objects.exists()
    assert not ModelLogEntry.objects.filter(content_type__model="fundingstream").exists()


def test_an_officer_edits_a_stream_and_its_allocations_and_the_edit_is_in_its_history(officer_client, board_viewer):
    stream = FundingStreamFactory(name="Serious Violence Duty", slug="serious-violence-duty", funder=funder())
    allocation = AllocationFactory(stream=stream, financial_year=2023, amount=gbp("100000.00"))
    data = stream_form_data(
        funder=stream.funder,
        total="300000.00",
        allocations=[(allocation.pk, 2023, "150000.00"), (2024, "150000.00")],
    )
    response = officer_client.post(admin_url("outturn_streams", "edit", stream.pk), data)
    assert response.url == admin_url("outturn_streams")
    assert dict(Allocation.objects.filter(stream=stream).values_list("financial_year", "amount")) == {
        2023: gbp("150000.00").amount,
        2024: gbp("150000.00").amount,
    }
    # The conftest client fixtures share one client, so the board viewer gets one of their own.
    board_client = Client()
    board_client.force_login(board_viewer)
    history = board_client.get(admin_url("outturn_streams", "history", stream.pk))
    assert history.status_code == 200
    assert "Edited" in history.content.decode()


def test_an_edit_past_the_total_changes_nothing(officer_client):
    stream = FundingStreamFactory(name="Serious Violence Duty", slug="svd", total=gbp("300000.00"), funder=funder())
    allocation = AllocationFactory(stream=stream, financial_year=2023, amount=gbp("100000.00"))
    data = stream_form_data(
        funder=stream.funder,
        name=stream.name,
        slug="svd",
        total="300000.00",
        allocations=[(allocation.pk, 2023, "250000.00"), (2024, "100000.00")],
    )
    response = officer_client.post(admin_url("outturn_streams", "edit", stream.pk), data)
    assert response.status_code == 200
    assert "£50,000.00 more than its total of £300,000.00" in response.context["form"].non_field_errors()[0]
    allocation.refresh_from_db()
    assert allocation.amount == gbp("100000.00")
    assert Allocation.objects.filter(stream=stream).count() == 1


def test_the_stream_listing_and_inspect_view_show_what_is_not_yet_allocated(board_client):
    stream = FundingStreamFactory(name="Serious Violence Duty", total=gbp("969600.00"))
    AllocationFactory(stream=stream, financial_year=2023, amount=gbp("323200.00"))
    listing = board_client.get(admin_url("outturn_streams")).content.decode()
    assert "Not yet allocated" in listing
    assert "£646,400.00" in listing
    inspect = board_client.get(admin_url("outturn_streams", "inspect", stream.pk)).content.decode()
    assert "2023/24" in inspect and "£323,200.00" in inspect and "£646,400.00" in inspect


def test_a_stream_is_owned_by_someone_in_the_office_not_a_provider(officer_client, officer, provider_editor):
    form = officer_client.get(admin_url("outturn_streams", "add")).context["form"]
    owners = set(form.fields["owner"].queryset)
    assert officer in owners and provider_editor not in owners


# --- Organisations and areas ----------------------------------------------------------------------------------


def test_an_officer_adds_an_organisation_and_a_bad_identifier_is_refused(officer_client):
    data = {"name": "Chit Chat 4 U", "kind": "provider", "org_id": "GB-GOR-123", "postcode": "st4 2rs"}
    response = officer_client.post(admin_url("outturn_organisations", "add"), data)
    assert response.status_code == 200
    assert "GB-GOR identifiers are deprecated" in response.content.decode()
    assert not Organisation.objects.filter(name="Chit Chat 4 U").exists()
    data["org_id"] = "GB-CHC-1234567"
    response = officer_client.post(admin_url("outturn_organisations", "add"), data)
    assert response.url == admin_url("outturn_organisations")
    assert Organisation.objects.get(name="Chit Chat 4 U").postcode == "ST4 2RS"


def test_an_officer_adds_an_area_and_it_is_in_its_history(officer_client, officer):
    data = {"name": "Stoke-on-Trent", "code": "E06000021", "geo_type": "UA"}
    assert officer_client.post(admin_url("outturn_areas", "add"), data).url == admin_url("outturn_areas")
    assert ModelLogEntry.objects.filter(content_type__model="area", action="wagtail.create", user=officer).exists()
    assert [
        area.code for area in officer_client.get(admin_url("outturn_areas") + "?q=Stoke").context["object_list"]
    ] == ["E06000021"]


# --- Who may change set-up data -------------------------------------------------------------------------------


@pytest.mark.parametrize("client_fixture", ["finance_client", "board_client"])
@pytest.mark.parametrize("viewset", ADDABLE_LISTINGS)
def test_finance_and_board_cannot_add_set_up_data(request, client_fixture, viewset):
    client = request.getfixturevalue(client_fixture)
    listing = client.get(admin_url(viewset))
    assert listing.status_code == 200
    assert admin_url(viewset, "add") not in listing.content.decode()
    assert client.get(admin_url(viewset, "add")).url == "/admin/"
    assert client.post(admin_url(viewset, "add"), {"name": "Sneaky"}).url == "/admin/"


@pytest.mark.parametrize("client_fixture", ["finance_client", "board_client"])
def test_finance_and_board_cannot_edit_a_stream(request, client_fixture):
    client = request.getfixturevalue(client_fixture)
    stream = FundingStreamFactory(name="Serious Violence Duty", funder=funder())
    assert client.get(admin_url("outturn_streams", "inspect", stream.pk)).status_code == 200
    response = client.post(admin_url("outturn_streams", "edit", stream.pk), stream_form_data(funder=stream.funder))
    assert response.url == "/admin/"
    stream.refresh_from_db()
    assert stream.total == gbp("300000.00")


@pytest.mark.parametrize("viewset", SETUP_LISTINGS)
def test_nobody_deletes_set_up_data_from_the_admin_not_even_a_superuser(client, viewset):
    client.force_login(superuser())
    with pytest.raises(NoReverseMatch):
        admin_url(viewset, "delete", 1)
    prefix = admin_url(viewset)
    assert client.get(f"{prefix}delete/1/").status_code == 404


def test_nobody_deletes_a_stream_even_with_its_pk(client):
    client.force_login(superuser())
    stream = FundingStreamFactory()
    assert client.post(f"{admin_url('outturn_streams')}delete/{stream.pk}/").status_code == 404
    edit = client.get(admin_url("outturn_streams", "edit", stream.pk)).content.decode()
    assert f"delete/{stream.pk}/" not in edit
    assert FundingStream.objects.filter(pk=stream.pk).exists()


# --- Search and filters ---------------------------------------------------------------------------------------


def test_organisations_are_searched_and_filtered_by_kind(board_client):
    provider = OrganisationFactory(name="Chit Chat 4 U")
    home_office = FunderFactory(name="Home Office")
    assert listed(board_client.get(admin_url("outturn_organisations") + "?q=chit")) == {provider.pk}
    by_kind = listed(board_client.get(admin_url("outturn_organisations") + "?kind=funder"))
    assert home_office.pk in by_kind and provider.pk not in by_kind


def test_streams_are_searched_and_filtered_by_funder_year_and_ring_fencing(board_client):
    home_office, commissioner = FunderFactory(name="Home Office"), FunderFactory(name="PFCC core grant")
    duty = FundingStreamFactory(name="Serious Violence Duty", funder=home_office, ring_fenced=True)
    pot = FundingStreamFactory(name="Safer Streets pot", funder=commissioner)
    AllocationFactory(stream=duty, financial_year=2024)
    AllocationFactory(stream=pot, financial_year=2023)
    url = admin_url("outturn_streams")
    assert listed(board_client.get(f"{url}?q=duty")) == {duty.pk}
    assert listed(board_client.get(f"{url}?funder={commissioner.pk}")) == {pot.pk}
    assert listed(board_client.get(f"{url}?financial_year=2024")) == {duty.pk}
    assert listed(board_client.get(f"{url}?ring_fenced=true")) == {duty.pk}


def test_allocations_are_filtered_by_stream_and_year(finance_client):
    duty = AllocationFactory(financial_year=2023)
    later = AllocationFactory(financial_year=2024)
    url = admin_url("outturn_allocations")
    assert listed(finance_client.get(f"{url}?financial_year=2024")) == {later.pk}
    assert listed(finance_client.get(f"{url}?stream={duty.stream_id}")) == {duty.pk}
    assert listed(finance_client.get(f"{url}?q={later.stream.name}")) == {later.pk}


def test_allocations_are_read_only_in_their_own_listing(officer_client):
    allocation = AllocationFactory()
    listing = officer_client.get(admin_url("outturn_allocations")).content.decode()
    assert "/new/" not in listing
    with pytest.raises(NoReverseMatch):
        admin_url("outturn_allocations", "edit", allocation.pk)
    assert officer_client.get(f"{admin_url('outturn_allocations')}edit/{allocation.pk}/").status_code == 404


# --- Users ----------------------------------------------------------------------------------------------------


def user_form_data(**fields):
    data = {
        "email": "navigator@chitchat.example",
        "first_name": "Nia",
        "last_name": "Okafor",
        "password1": "correct-horse-battery-staple",
        "password2": "correct-horse-battery-staple",
        "is_active": "on",
    }
    data.update(fields)
    return data


def test_a_superuser_adds_a_provider_user_who_signs_in_with_e_mail_and_belongs_to_an_organisation(client):
    client.force_login(superuser())
    provider = OrganisationFactory(name="Chit Chat 4 U")
    approver = Group.objects.get(name=Role.PROVIDER_APPROVER)
    response = client.post(
        reverse("wagtailusers_users:add"), user_form_data(organisation=provider.pk, groups=[approver.pk])
    )
    assert response.url == reverse("wagtailusers_users:index")
    user = User.objects.get(email="navigator@chitchat.example")
    assert user.organisation == provider and user.has_role(Role.PROVIDER_APPROVER)
    listing = client.get(reverse("wagtailusers_users:index") + f"?organisation={provider.pk}").content.decode()
    assert "navigator@chitchat.example" in listing and "Chit Chat 4 U" in listing
    client.logout()
    signed_in = client.post(
        "/portal/sign-in/", {"username": "navigator@chitchat.example", "password": "correct-horse-battery-staple"}
    )
    assert signed_in.status_code == 302 and signed_in.url == "/portal/"


def test_a_provider_role_needs_an_organisation(client):
    client.force_login(superuser())
    editor = Group.objects.get(name=Role.PROVIDER_EDITOR)
    response = client.post(reverse("wagtailusers_users:add"), user_form_data(groups=[editor.pk]))
    assert response.status_code == 200
    assert response.context["form"].errors["organisation"] == [ORGANISATION_REQUIRED_FOR_PROVIDER_ROLE]
    assert not User.objects.filter(email="navigator@chitchat.example").exists()


def test_an_officer_cannot_manage_users(officer_client):
    assert officer_client.get(reverse("wagtailusers_users:index")).url == "/admin/"
