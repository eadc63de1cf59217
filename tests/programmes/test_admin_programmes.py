"""The Programmes menu of the back office: grants with their charges and budget lines, activation, variations,
budget line profiles, programmes, indicators and targets; and the Overrides listing."""

import pytest
from django.test import Client, override_settings
from django.utils.html import escape
from wagtail.models import ModelLogEntry
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from funding.money import gbp
from funding.roles import Role
from programmes.admin_views import GRANT_ACTIVATE_LOG_ACTION
from programmes.models import BudgetProfile, Grant, GrantCharge, GrantVariation, Indicator, Programme, Target
from programmes.profiles import PROFILE_YEAR_NO_QUARTERS
from programmes.services import PROFILE_REQUIRED, VARIATION_NEEDS_REASON, grant_activate
from tests.admin_helpers import admin_url, grant_form_data
from tests.factories import (
    AllocationFactory,
    AreaFactory,
    FundingStreamFactory,
    GrantChargeFactory,
    GrantFactory,
    IndicatorFactory,
    OrganisationFactory,
    ProgrammeFactory,
    funded_grant,
    office_user,
)

pytestmark = pytest.mark.django_db


def listed(response) -> set:
    return {row.pk for row in response.context["object_list"]}


@pytest.fixture
def stream_with_room():
    """A stream with £100,000 for 2023/24, of which another grant already commits £80,000."""
    stream = FundingStreamFactory(name="Serious Violence Duty")
    AllocationFactory(stream=stream, financial_year=2023, amount=gbp("100000.00"))
    GrantChargeFactory(stream=stream, financial_year=2023, amount=gbp("80000.00"))
    return stream


def new_grant_data(stream, **charge):
    provider, programme = OrganisationFactory(name="Chit Chat 4 U"), ProgrammeFactory(name="Navigator")
    return grant_form_data(
        provider=provider,
        programme=programme,
        amount="40000.00",
        charges=[{"stream": stream, "financial_year": 2023, "amount": "40000.00", **charge}],
        budget_lines=[{"name": "Navigators", "amount": "40000.00"}],
    )


# --- Grants through the admin ---------------------------------------------------------------------------------


def test_an_officer_creates_a_grant_with_its_charges_and_budget_lines(officer_client, officer):
    stream = FundingStreamFactory(name="Serious Violence Duty")
    AllocationFactory(stream=stream, financial_year=2023, amount=gbp("100000.00"))
    stoke = AreaFactory()
    data = new_grant_data(stream)
    data["areas"] = [stoke.pk]
    response = officer_client.post(admin_url("outturn_grants", "add"), data)
    assert response.url == admin_url("outturn_grants")
    grant = Grant.objects.get(identifier="360G-SSVRA-2023-001")
    assert grant.status == Grant.Status.DRAFT
    assert [(c.stream, c.amount) for c in grant.charges.all()] == [(stream, gbp("40000.00"))]
    assert [line.name for line in grant.budget_lines.all()] == ["Navigators"]
    assert list(grant.areas.all()) == [stoke]
    assert ModelLogEntry.objects.filter(object_id=str(grant.pk), action="wagtail.create", user=officer).exists()


def test_a_charge_past_the_allocation_is_refused_naming_the_stream_the_year_and_what_remains(
    officer_client, stream_with_room
):
    response = officer_client.post(admin_url("outturn_grants", "add"), new_grant_data(stream_with_room))
    assert response.status_code == 200
    message = (
        "Charging £40,000.00 to Serious Violence Duty in 2023/24 would take its commitments past the year's "
        "allocation of £100,000.00: £20,000.00 remains. Reduce the charge, or give a reason to override."
    )
    assert response.context["form"].non_field_errors() == [message]
    assert escape(message) in response.content.decode()
    assert not Grant.objects.filter(identifier="360G-SSVRA-2023-001").exists()


def test_a_charge_past_the_allocation_with_a_reason_is_saved_and_listed_under_overrides(
    officer_client, officer, stream_with_room
):
    reason = "The board agreed to over-programme: underspend is expected elsewhere."
    data = new_grant_data(stream_with_room, override_reason=reason)
    response = officer_client.post(admin_url("outturn_grants", "add"), data)
    assert response.url == admin_url("outturn_grants")
    charge = GrantCharge.objects.get(grant__identifier="360G-SSVRA-2023-001")
    assert (charge.override_reason, charge.overridden_by) == (reason, officer)
    assert charge.overridden_at is not None

    overrides = officer_client.get(admin_url("outturn_overrides"))
    assert [row.record for row in overrides.context["object_list"]] == [charge]
    assert escape(reason) in overrides.content.decode()
    grants = officer_client.get(admin_url("outturn_grants") + "?has_override=true")
    assert listed(grants) == {charge.grant_id}
    assert "Override" in grants.content.decode()


def test_a_charge_within_the_allocation_drops_a_needless_override_reason(officer_client):
    stream = FundingStreamFactory(name="Serious Violence Duty")
    AllocationFactory(stream=stream, financial_year=2023, amount=gbp("100000.00"))
    data = new_grant_data(stream, override_reason="Just in case")
    officer_client.post(admin_url("outturn_grants", "add"), data)
    charge = GrantCharge.objects.get(grant__identifier="360G-SSVRA-2023-001")
    assert (charge.override_reason, charge.overridden_by) == ("", None)
    assert list(officer_client.get(admin_url("outturn_overrides")).context["object_list"]) == []


def edit_data_for(grant, *, amount, reason=None, extra_line=None):
    """The edit form of a one-charge, one-line grant with its amount and charge changed; the line takes the new
    amount too, unless the difference goes on an extra line (name, amount)."""
    charge, line = grant.charges.get(), grant.budget_lines.get()
    lines = [{"id": line.pk, "name": line.name, "amount": str(line.amount.amount) if extra_line else amount}]
    if extra_line:
        lines.append(
            {"name": extra_line[0], "category": "activities", "cost_type": "non-labour", "amount": extra_line[1]}
        )
    data = grant_form_data(
        provider=grant.provider,
        programme=grant.programme,
        identifier=grant.identifier,
        title=grant.title,
        amount=amount,
        charges=[{"id": charge.pk, "stream": charge.stream, "financial_year": 2023, "amount": amount}],
        budget_lines=lines,
    )
    if reason is not None:
        data["variation_reason"] = reason
    return data


@override_settings(OUTTURN_TODAY="2023-10-15")
def test_changing_an_active_grant_needs_a_reason_and_is_recorded_as_a_variation(officer_client, officer):
    grant = funded_grant()
    grant_activate(grant=grant, user=officer)
    url = admin_url("outturn_grants", "edit", grant.pk)
    assert "Reason for the variation" in officer_client.get(url).content.decode()
    varied = {"amount": "45000.00", "extra_line": ("Summer sessions", "5000.00")}

    refused = officer_client.post(url, edit_data_for(grant, **varied))
    assert refused.status_code == 200
    assert refused.context["form"].errors["variation_reason"] == [VARIATION_NEEDS_REASON]
    assert Grant.objects.get(pk=grant.pk).amount == gbp("40000.00")
    assert not GrantVariation.objects.exists()

    reason = "Extra summer sessions agreed with the provider."
    response = officer_client.post(url, edit_data_for(grant, **varied, reason=reason))
    assert response.url == admin_url("outturn_grants")
    assert Grant.objects.get(pk=grant.pk).amount == gbp("45000.00")
    kinds = set(GrantVariation.objects.filter(grant=grant, reason=reason).values_list("kind", flat=True))
    assert kinds == {GrantVariation.Kind.AMOUNT, GrantVariation.Kind.BUDGET, GrantVariation.Kind.CHARGES}
    variations = officer_client.get(admin_url("outturn_variations"))
    assert [v.reason for v in variations.context["object_list"]] == [reason] * 3
    variation = GrantVariation.objects.filter(grant=grant).first()
    inspect = officer_client.get(admin_url("outturn_variations", "inspect", variation.pk)).content.decode()
    assert "£40,000.00" in inspect and "£45,000.00" in inspect and "Summer sessions: £5,000.00" in inspect


@override_settings(OUTTURN_TODAY="2023-10-15")
def test_a_varied_line_is_re_profiled_from_the_current_quarter(officer_client, officer):
    grant = funded_grant()
    grant_activate(grant=grant, user=officer)
    line = grant.budget_lines.get()
    data = edit_data_for(grant, amount="45000.00", reason="More sessions")
    response = officer_client.post(admin_url("outturn_grants", "edit", grant.pk), data)
    assert response.status_code == 302
    profile = BudgetProfile.objects.filter(budget_line=line).order_by("quarter")
    assert [row.amount for row in profile] == [gbp("10000.00")] * 2 + [gbp("12500.00")] * 2


@override_settings(OUTTURN_TODAY="2024-05-01")
def test_a_line_of_a_grant_that_has_ended_cannot_be_re_profiled(officer_client, officer):
    grant = funded_grant()
    grant_activate(grant=grant, user=officer)
    data = edit_data_for(grant, amount="45000.00", reason="More sessions")
    response = officer_client.post(admin_url("outturn_grants", "edit", grant.pk), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        PROFILE_YEAR_NO_QUARTERS.format(year="2023/24", needed="£5,000.00", first="Q1 2024/25")
    ]
    assert Grant.objects.get(pk=grant.pk).amount == gbp("40000.00")


def test_a_draft_grant_changes_without_a_reason(officer_client):
    grant = funded_grant()
    assert (
        "Reason for the variation"
        not in officer_client.get(admin_url("outturn_grants", "edit", grant.pk)).content.decode()
    )
    response = officer_client.post(
        admin_url("outturn_grants", "edit", grant.pk), edit_data_for(grant, amount="45000.00")
    )
    assert response.url == admin_url("outturn_grants")
    assert Grant.objects.get(pk=grant.pk).amount == gbp("45000.00")
    assert not GrantVariation.objects.exists()


def test_an_officer_activates_a_draft_grant_from_its_edit_screen(officer_client, officer):
    grant = funded_grant()
    edit = officer_client.get(admin_url("outturn_grants", "edit", grant.pk)).content.decode()
    activate_url = admin_url("outturn_grants", "activate", grant.pk)
    assert activate_url in edit
    assert "4 quarters" in officer_client.get(activate_url).content.decode()
    response = officer_client.post(activate_url)
    assert response.url == admin_url("outturn_grants", "edit", grant.pk)
    grant.refresh_from_db()
    assert grant.status == Grant.Status.ACTIVE
    assert grant.returns.count() == 4
    assert ModelLogEntry.objects.filter(object_id=str(grant.pk), action=GRANT_ACTIVATE_LOG_ACTION).exists()
    assert activate_url not in officer_client.get(admin_url("outturn_grants", "edit", grant.pk)).content.decode()


def test_a_grant_that_does_not_add_up_is_not_activated_and_the_officer_is_told_why(officer_client):
    grant = funded_grant(amount="40000.00")
    GrantCharge.objects.filter(grant=grant).update(amount=gbp("30000.00"))
    response = officer_client.post(admin_url("outturn_grants", "activate", grant.pk))
    assert response.status_code == 200
    assert escape("add up to £30,000.00, not the grant's amount of £40,000.00") in response.content.decode()
    grant.refresh_from_db()
    assert grant.status == Grant.Status.DRAFT
    assert grant.returns.count() == 0


@pytest.mark.parametrize("client_fixture", ["finance_client", "board_client"])
def test_finance_and_board_can_neither_edit_nor_activate_a_grant(request, client_fixture):
    client = request.getfixturevalue(client_fixture)
    grant = funded_grant()
    assert client.get(admin_url("outturn_grants", "inspect", grant.pk)).status_code == 200
    assert client.get(admin_url("outturn_grants", "edit", grant.pk)).url == "/admin/"
    assert client.post(admin_url("outturn_grants", "edit", grant.pk), edit_data_for(grant, amount="1.00")).url == (
        "/admin/"
    )
    assert client.post(admin_url("outturn_grants", "activate", grant.pk)).url == "/admin/"
    grant.refresh_from_db()
    assert (grant.status, grant.amount) == (Grant.Status.DRAFT, gbp("40000.00"))


def test_the_grant_inspect_view_shows_charges_with_overrides_flagged_and_budget_lines(board_client, officer):
    grant = funded_grant()
    GrantCharge.objects.filter(grant=grant).update(override_reason="Board decision", overridden_by=officer)
    content = board_client.get(admin_url("outturn_grants", "inspect", grant.pk)).content.decode()
    assert "Board decision" in content and "Override" in content
    assert "£40,000.00" in content and grant.budget_lines.get().name in content


# --- Budget line profiles -------------------------------------------------------------------------------------


def profile_data(rows, initial=0):
    return nested_form_data({"profile": inline_formset(rows, initial=initial)})


def test_an_officer_profiles_a_budget_line_by_quarter(officer_client):
    grant = funded_grant(amount="400.00")
    line = grant.budget_lines.get()
    rows = [{"financial_year": 2023, "quarter": q, "amount_0": "100.00"} for q in (1, 2, 3, 4)]
    response = officer_client.post(admin_url("outturn_budget_lines", "edit", line.pk), profile_data(rows))
    assert response.url == admin_url("outturn_budget_lines")
    assert BudgetProfile.objects.filter(budget_line=line).count() == 4


def test_a_profile_that_does_not_add_up_or_falls_outside_the_grant_is_refused(officer_client):
    grant = funded_grant(amount="400.00")
    line = grant.budget_lines.get()
    rows = [
        {"financial_year": 2023, "quarter": 1, "amount_0": "100.00"},
        {"financial_year": 2024, "quarter": 1, "amount_0": "100.00"},
    ]
    response = officer_client.post(admin_url("outturn_budget_lines", "edit", line.pk), profile_data(rows))
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert f"The quarterly profile of {line.name} adds up to £200.00, not the line's amount of £400.00." in errors
    assert f"{line.name} is profiled in Q1 2024/25, outside the grant's dates." in errors
    assert not BudgetProfile.objects.filter(budget_line=line).exists()


def test_an_active_grants_line_keeps_a_profile(officer_client, officer):
    grant = funded_grant(amount="400.00")
    grant_activate(grant=grant, user=officer)
    line = grant.budget_lines.get()
    existing = [
        {
            "id": row.pk,
            "financial_year": row.financial_year,
            "quarter": row.quarter,
            "amount_0": "100.00",
            "DELETE": "1",
        }
        for row in line.profile.all()
    ]
    response = officer_client.post(
        admin_url("outturn_budget_lines", "edit", line.pk), profile_data(existing, initial=len(existing))
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [PROFILE_REQUIRED.format(line=line.name)]
    assert line.profile.count() == 4


def test_budget_lines_are_added_on_their_grant_not_on_their_own(officer_client):
    listing = officer_client.get(admin_url("outturn_budget_lines")).content.decode()
    assert f'href="{admin_url("outturn_budget_lines")}new/"' not in listing
    assert officer_client.get(f"{admin_url('outturn_budget_lines')}new/").status_code == 404


# --- Programmes, indicators, targets --------------------------------------------------------------------------


def test_an_officer_creates_a_programme_serving_several_areas(officer_client):
    stoke, newcastle = AreaFactory(), AreaFactory(code="E07000195", name="Newcastle-under-Lyme")
    data = {
        "name": "The Space",
        "slug": "the-space",
        "summary": "Summer positive activities for young people.",
        "theme": "young-people",
        "areas": [stoke.pk, newcastle.pk],
    }
    response = officer_client.post(admin_url("outturn_programmes", "add"), data)
    assert response.url == admin_url("outturn_programmes")
    assert set(Programme.objects.get(slug="the-space").areas.all()) == {stoke, newcastle}


def test_an_indicator_breaking_its_rules_is_refused(officer_client):
    data = {
        "name": "Children feeling safer",
        "slug": "children-feeling-safer",
        "kind": "outcome",
        "scope": "programme",
        "unit": "percentage",
        "aggregation": "sum",
        "direction": "higher",
        "definition": "Share of children who say they feel safer.",
    }
    response = officer_client.post(admin_url("outturn_indicators", "add"), data)
    assert response.status_code == 200
    assert "A percentage cannot be summed over periods" in response.content.decode()
    data["aggregation"] = "latest"
    assert officer_client.post(admin_url("outturn_indicators", "add"), data).url == admin_url("outturn_indicators")
    assert Indicator.objects.filter(slug="children-feeling-safer").exists()


def test_a_target_is_for_a_grant_or_a_programme_not_both(officer_client):
    indicator, grant = IndicatorFactory(), GrantFactory()
    data = {
        "indicator": indicator.pk,
        "grant": grant.pk,
        "programme": grant.programme_id,
        "financial_year": 2023,
        "value": "100",
    }
    response = officer_client.post(admin_url("outturn_targets", "add"), data)
    assert response.status_code == 200
    assert "A target is set for a grant or for a programme, not both." in response.content.decode()
    data["programme"] = ""
    assert officer_client.post(admin_url("outturn_targets", "add"), data).url == admin_url("outturn_targets")
    assert Target.objects.get().grant == grant


# --- Search and filters ---------------------------------------------------------------------------------------


@pytest.fixture
def two_grants(officer):
    """Two grants that differ in everything a listing filters on."""
    navigator = funded_grant(title="Navigator", year=2023)
    space = funded_grant(title="The Space", year=2024)
    grant_activate(grant=space, user=officer)
    return navigator, space


@pytest.mark.parametrize(
    "query",
    [
        lambda a, b: f"q={a.identifier}",
        lambda a, b: "q=navigator",
        lambda a, b: f"stream={a.charges.get().stream_id}",
        lambda a, b: "financial_year=2023",
        lambda a, b: f"provider={a.provider_id}",
        lambda a, b: f"programme={a.programme_id}",
        lambda a, b: "status=draft",
    ],
    ids=["search identifier", "search title", "stream", "financial year", "provider", "programme", "status"],
)
def test_grants_are_searched_and_filtered(board_client, two_grants, query):
    navigator, space = two_grants
    assert listed(board_client.get(admin_url("outturn_grants") + "?" + query(navigator, space))) == {navigator.pk}


@pytest.mark.parametrize(
    "viewset, query",
    [
        ("outturn_programmes", lambda a: f"provider={a.provider_id}"),
        ("outturn_programmes", lambda a: f"stream={a.charges.get().stream_id}"),
        ("outturn_budget_lines", lambda a: f"programme={a.programme_id}"),
        ("outturn_budget_lines", lambda a: "grant_status=draft"),
    ],
)
def test_programmes_and_budget_lines_are_filtered(board_client, two_grants, viewset, query):
    navigator, space = two_grants
    rows = board_client.get(admin_url(viewset) + "?" + query(navigator)).context["object_list"]
    wanted = navigator.programme if viewset == "outturn_programmes" else navigator.budget_lines.get()
    unwanted = space.programme if viewset == "outturn_programmes" else space.budget_lines.get()
    assert wanted in rows and unwanted not in rows


def test_the_overrides_listing_is_filtered_by_kind_and_provider(officer_client, officer, stream_with_room):
    funded = funded_grant()
    GrantCharge.objects.filter(grant=funded).update(override_reason="Board decision", overridden_by=officer)
    url = admin_url("outturn_overrides")
    assert len(officer_client.get(url).context["object_list"]) == 1
    assert officer_client.get(url + "?kind=payment").context["object_list"] == []
    assert len(officer_client.get(url + f"?provider={funded.provider_id}").context["object_list"]) == 1
    assert officer_client.get(url + f"?stream={stream_with_room.pk}").context["object_list"] == []
    assert len(officer_client.get(url + "?q=board").context["object_list"]) == 1


def test_a_finance_officer_sees_the_overrides_but_a_content_editor_does_not(client, finance_officer, content_editor):
    client.force_login(finance_officer)
    assert client.get(admin_url("outturn_overrides")).status_code == 200
    other = Client()
    other.force_login(content_editor)
    assert other.get(admin_url("outturn_overrides")).url == "/admin/"


# --- Who can lead -----------------------------------------------------------------------------------------------


def test_only_commissioning_officers_are_offered_to_lead_a_grant_or_a_programme(
    officer_client, officer, finance_officer, board_viewer, content_editor, provider_editor
):
    """The people fields offer who can lead (funding.roles.LEAD_ROLES): not the rest of the office, nor providers."""
    leaver = office_user(Role.COMMISSIONING_OFFICER, email="left@example.org", is_active=False)
    for url, field in [
        (admin_url("outturn_grants", "add"), "lead_officer"),
        (admin_url("outturn_programmes", "add"), "senior_responsible_officer"),
        (admin_url("outturn_streams", "add"), "owner"),
    ]:
        form = officer_client.get(url).context["form"]
        assert set(form.fields[field].queryset) == {officer}, url
        select = str(form[field])
        assert f'<option value="{officer.pk}">' in select
        for person in (finance_officer, board_viewer, content_editor, provider_editor, leaver):
            assert f'<option value="{person.pk}"' not in select, (url, person)


def test_a_grant_keeps_a_lead_officer_who_no_longer_leads(officer_client, officer, board_viewer):
    """Someone named before the rule (or who has since changed role) stays on offer for that grant, so that it can
    still be saved; they are not offered for any other."""
    grant = funded_grant(lead_officer=board_viewer)
    form = officer_client.get(admin_url("outturn_grants", "edit", grant.pk)).context["form"]
    assert set(form.fields["lead_officer"].queryset) == {officer, board_viewer}
    other = officer_client.get(admin_url("outturn_grants", "edit", funded_grant().pk)).context["form"]
    assert set(other.fields["lead_officer"].queryset) == {officer}


def test_a_grant_led_by_a_content_editor_is_refused(officer_client, content_editor):
    data = new_grant_data(FundingStreamFactory(name="Serious Violence Duty"))
    data["lead_officer"] = content_editor.pk
    response = officer_client.post(admin_url("outturn_grants", "add"), data)
    assert response.status_code == 200
    assert "Select a valid choice" in str(response.context["form"].errors["lead_officer"])
    assert not Grant.objects.filter(lead_officer=content_editor).exists()
