"""The Returns menu of the back office: returns, payments, indicator values and variations are read-only there,
changed only through their workflow."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import NoReverseMatch

from funding.fiscal import FinancialYear, Quarter
from funding.money import gbp
from programmes.models import IndicatorValue, Payment
from programmes.services import (
    grant_activate,
    indicator_value_record_office,
    payment_create,
    return_record_spend,
    return_send_back,
    return_submit,
    return_update_narrative,
)
from tests.admin_helpers import RETURNS_LISTINGS, admin_url, build_rows, superuser
from tests.factories import IndicatorFactory, funded_grant

pytestmark = pytest.mark.django_db


def listed(response) -> set:
    return {row.pk for row in response.context["object_list"]}


@pytest.mark.parametrize("viewset", RETURNS_LISTINGS)
def test_workflow_records_have_no_add_edit_or_delete_screens_even_for_a_superuser(client, viewset):
    client.force_login(superuser())
    build_rows(viewset, 1)
    listing = client.get(admin_url(viewset))
    assert listing.status_code == 200
    row = listing.context["object_list"][0]
    content = listing.content.decode()
    prefix = admin_url(viewset)
    assert f'href="{prefix}new/"' not in content
    assert f"{prefix}edit/" not in content and f"{prefix}delete/" not in content
    assert not listing.context["can_add"]
    for view in ("add", "edit", "delete", "copy", "usage"):
        with pytest.raises(NoReverseMatch):
            admin_url(viewset, view) if view == "add" else admin_url(viewset, view, row.pk)
    assert client.get(f"{prefix}new/").status_code == 404
    assert client.post(f"{prefix}new/", {}).status_code == 404
    for view in ("edit", "delete", "copy", "usage"):
        assert client.get(f"{prefix}{view}/{row.pk}/").status_code == 404
        assert client.post(f"{prefix}{view}/{row.pk}/", {}).status_code == 404
    assert client.get(admin_url(viewset, "inspect", row.pk)).status_code == 200
    assert client.get(admin_url(viewset, "history", row.pk)).status_code == 200


@pytest.mark.parametrize("viewset", RETURNS_LISTINGS)
def test_every_office_role_inspects_workflow_records(officer_client, viewset):
    build_rows(viewset, 1)
    row = officer_client.get(admin_url(viewset)).context["object_list"][0]
    assert officer_client.get(admin_url(viewset, "inspect", row.pk)).status_code == 200


@pytest.fixture
def returned_return(officer, provider, provider_approver):
    """A provider's return that was filled in, submitted and sent back by the officer with a reason."""
    grant = funded_grant(provider=provider, title="Navigator")
    grant_activate(grant=grant, user=officer)
    quarterly_return = grant.returns.get(quarter=1)
    line = grant.budget_lines.get()
    return_update_narrative(
        quarterly_return=quarterly_return,
        user=provider_approver,
        progress="Twelve children supported after arrest.",
        risk_rating="green",
    )
    return_record_spend(
        quarterly_return=quarterly_return,
        budget_line=line,
        actual=gbp("9500.00"),
        forecasts={2: gbp("10000.00")},
        user=provider_approver,
    )
    return_submit(quarterly_return=quarterly_return, user=provider_approver)
    return_send_back(quarterly_return=quarterly_return, user=officer, reason="Add the anonymised case study.")
    return quarterly_return


def test_a_return_is_inspected_with_its_timeline_spend_and_forecasts(client, board_viewer, returned_return):
    client.force_login(board_viewer)
    content = client.get(admin_url("outturn_returns", "inspect", returned_return.pk)).content.decode()
    assert "Not started → Draft" in content
    assert "Draft → Submitted" in content
    assert "Submitted → Returned for changes" in content
    assert "Add the anonymised case study." in content
    assert "£9,500.00" in content and "£10,000.00" in content and "Q2 2023/24" in content
    assert "Twelve children supported after arrest." in content


@pytest.mark.parametrize(
    "query",
    [
        "status=returned",
        "financial_year=2023",
        "quarter=1&financial_year=2023",
        "provider={provider}",
        "programme={programme}",
        "q=Navigator",
    ],
)
def test_returns_are_filtered(officer_client, officer, returned_return, query):
    grant = returned_return.grant
    other = funded_grant(year=2024)
    grant_activate(grant=other, user=officer)
    url = admin_url("outturn_returns") + "?" + query.format(provider=grant.provider_id, programme=grant.programme_id)
    rows = listed(officer_client.get(url))
    assert returned_return.pk in rows
    assert not rows & set(other.returns.values_list("pk", flat=True))


def test_overdue_returns_are_flagged_and_filtered(officer_client, officer, settings):
    settings.OUTTURN_TODAY = "2023-09-01"
    grant = funded_grant()
    grant_activate(grant=grant, user=officer)
    q1, q2 = grant.returns.get(quarter=1), grant.returns.get(quarter=2)
    response = officer_client.get(admin_url("outturn_returns") + "?overdue=true")
    assert listed(response) == {q1.pk}
    assert "Overdue" in response.content.decode()
    assert q2.pk in listed(officer_client.get(admin_url("outturn_returns") + "?overdue=false"))


def test_payments_are_filtered_and_overrides_flagged(client, finance_officer):
    client.force_login(finance_officer)
    navigator, space = funded_grant(title="Navigator"), funded_grant(title="The Space", year=2024)
    planned = payment_create(
        grant=navigator, amount=gbp("10000.00"), date=datetime.date(2023, 6, 1), user=finance_officer
    )
    over = payment_create(
        grant=space,
        amount=gbp("50000.00"),
        date=datetime.date(2024, 6, 1),
        user=finance_officer,
        status=Payment.Status.PAID,
        reference="LEDGER-0042",
        override_reason="Overpayment: recovery agreed",
    )
    url = admin_url("outturn_payments")
    assert listed(client.get(url + "?status=planned")) == {planned.pk}
    assert listed(client.get(url + f"?provider={space.provider_id}")) == {over.pk}
    assert listed(client.get(url + f"?stream={navigator.charges.get().stream_id}")) == {planned.pk}
    assert listed(client.get(url + "?financial_year=2024")) == {over.pk}
    assert listed(client.get(url + "?q=LEDGER-0042")) == {over.pk}
    flagged = client.get(url + "?is_override=true")
    assert listed(flagged) == {over.pk}
    assert "Override" in flagged.content.decode()
    overrides = client.get(admin_url("outturn_overrides") + "?kind=payment")
    assert [row.record for row in overrides.context["object_list"]] == [over]


def test_indicator_values_are_filtered_by_approval(officer_client, officer):
    indicator = IndicatorFactory(name="Crimes reported in parks", counts_people=False)
    entered = indicator_value_record_office(
        indicator=indicator, quarter=Quarter(FinancialYear(2023), 1), user=officer, value=Decimal("41")
    )
    approved = indicator_value_record_office(
        indicator=indicator, quarter=Quarter(FinancialYear(2023), 2), user=officer, value=Decimal("37")
    )
    IndicatorValue.objects.filter(pk=approved.pk).update(
        approved_at=datetime.datetime(2023, 11, 1, tzinfo=datetime.UTC)
    )
    url = admin_url("outturn_indicator_values")
    assert listed(officer_client.get(url + "?approved=true")) == {approved.pk}
    assert listed(officer_client.get(url + "?approved=false")) == {entered.pk}
    assert listed(officer_client.get(url + "?quarter=2")) == {approved.pk}
    assert listed(officer_client.get(url + "?q=parks")) == {entered.pk, approved.pk}


def test_provider_users_cannot_inspect_their_own_return_in_the_admin(provider_client, returned_return):
    response = provider_client.get(admin_url("outturn_returns", "inspect", returned_return.pk))
    assert response.status_code == 302
    assert response.url == "/portal/"  # where their returns are


def test_a_content_editor_cannot_inspect_a_return(content_editor, returned_return):
    client = Client()
    client.force_login(content_editor)
    # Returns are read through a selector that gives content editors none (funding.roles.RECORD_READER_ROLES).
    assert client.get(admin_url("outturn_returns", "inspect", returned_return.pk)).status_code == 404
