"""The screens the office opens first (issue 10): the first screen's two overdue counts each say which period they
cover; a grant's edit screen, the first screen and the read-only listings make as many queries however much there
is to show. (tests/browser/test_first_screens_speed.py times them in the browser.)"""

import re

import pytest
from django.test import override_settings

from programmes.models import QuarterlyReturn
from programmes.services import grant_activate
from tests.admin_helpers import admin_url, count_queries
from tests.factories import BudgetLineFactory, FundingStreamFactory, GrantChargeFactory, GrantFactory, funded_grant

pytestmark = pytest.mark.django_db


def panel(html: str, panel_id: str) -> str:
    """The text of one panel of the first screen, tags removed and spaces collapsed."""
    section = re.search(rf'<section[^>]*id="{panel_id}-section".*?</section>', html, re.S).group(0)
    return " ".join(re.sub(r"<[^>]+>", " ", section).split())


@override_settings(OUTTURN_TODAY="2024-11-15")
def test_the_first_screen_says_which_period_each_overdue_count_covers(officer_client, officer):
    last_year = funded_grant(year=2023, identifier="360G-T-2023")  # its four returns of 2023/24 are all overdue
    this_year = funded_grant(year=2024, identifier="360G-T-2024")  # Q1 and Q2 of 2024/25 are, Q3 is not yet due
    for grant in (last_year, this_year):
        grant_activate(grant=grant, user=officer)

    html = officer_client.get("/admin/").content.decode()

    assert "Overdue returns 2 returns overdue for 2024/25." in panel(html, "funding-overview")
    assert "6 returns overdue in all years" in panel(html, "work-waiting")
    in_all_years = "<strong>6</strong> returns overdue in all years</a>"
    assert f'<a href="/admin/returns/quarterly-returns/?overdue=true">{in_all_years}' in html
    assert "from providers overdue" not in html and "overdue returns</a>" not in html


@override_settings(OUTTURN_TODAY="2024-11-15")
def test_one_overdue_return_reads_in_the_singular_with_its_period(officer_client, officer):
    grant = funded_grant(year=2024)
    grant_activate(grant=grant, user=officer)
    QuarterlyReturn.objects.filter(grant=grant, quarter=2).update(status=QuarterlyReturn.Status.SUBMITTED)

    html = officer_client.get("/admin/").content.decode()

    assert "Overdue returns 1 return overdue for 2024/25." in panel(html, "funding-overview")
    assert "1 return overdue in all years" in panel(html, "work-waiting")


@override_settings(OUTTURN_TODAY="2024-11-15")
def test_the_first_screen_makes_as_many_queries_however_many_streams_and_overdue_returns(officer_client, officer):
    grant_activate(grant=funded_grant(year=2024), user=officer)
    officer_client.get("/admin/")  # fills per-process caches
    small = count_queries(officer_client, "/admin/")
    for year in (2023, 2024, 2024, 2024):
        grant_activate(grant=funded_grant(year=year), user=officer)  # each with its own stream
    large = count_queries(officer_client, "/admin/")
    print(f"\nqueries first screen: {small} with 1 stream, {large} with 5")
    assert small == large


def grant_with_rows(charges: int, lines: int):
    grant = GrantFactory()
    for n in range(charges):
        GrantChargeFactory(grant=grant, stream=FundingStreamFactory(), financial_year=2023 + n % 3)
    for n in range(lines):
        BudgetLineFactory(grant=grant, name=f"Line {n}")
    return grant


def test_a_grants_edit_screen_makes_as_many_queries_for_six_charges_as_for_one(officer_client):
    small, large = grant_with_rows(charges=1, lines=1), grant_with_rows(charges=6, lines=4)
    officer_client.get(admin_url("outturn_grants", "edit", small.pk))  # fills per-process caches
    at_1 = count_queries(officer_client, admin_url("outturn_grants", "edit", small.pk))
    at_6 = count_queries(officer_client, admin_url("outturn_grants", "edit", large.pk))
    print(f"\nqueries grant edit screen: {at_1} with 1 charge and 1 line, {at_6} with 6 charges and 4 lines")
    assert at_1 == at_6


def test_each_charge_on_a_grants_edit_screen_shows_its_own_stream_and_year(officer_client):
    grant = grant_with_rows(charges=3, lines=2)
    html = officer_client.get(admin_url("outturn_grants", "edit", grant.pk)).content.decode()

    for n, charge in enumerate(grant.charges.order_by("pk")):
        stream = re.search(rf'<select name="charges-{n}-stream"[^>]*>(.*?)</select>', html, re.S).group(1)
        year = re.search(rf'<select name="charges-{n}-financial_year"[^>]*>(.*?)</select>', html, re.S).group(1)
        assert re.findall(r'<option value="(\d*)" selected>', stream) == [str(charge.stream_id)]
        assert re.findall(r'<option value="(\d*)" selected>', year) == [str(charge.financial_year)]
        assert stream.count("<option") == 1 + 3  # the empty choice and every stream, in every row
    empty_row = re.search(r'<select name="charges-__prefix__-stream"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert re.findall(r'<option value="(\d*)" selected>', empty_row) == [""]


def test_a_read_only_listings_rows_link_their_title_and_offer_no_menu_repeating_it(board_client, officer):
    grant = funded_grant()
    grant_activate(grant=grant, user=officer)
    first = grant.returns.order_by("quarter").first()

    html = board_client.get(admin_url("outturn_returns")).content.decode()

    assert f'href="{admin_url("outturn_returns", "inspect", first.pk)}"' in html
    assert "More options for" not in html and 'data-controller="w-dropdown"' not in html.split("<tbody")[-1]
