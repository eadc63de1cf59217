"""Value for money: each output's cost per unit from approved returns, on its dashboard, as CSV and in the board pack.

Every expected figure is worked out here from the base records (spend lines and indicator values of approved
returns), not from the dashboards' summary rows the selector reads.
"""

import csv
import io
import subprocess
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.files.storage import FileSystemStorage
from django.db.models import Sum
from django.utils import timezone

from funding.fiscal import FinancialYear
from funding.money import format_gbp, gbp
from funding.roles import Role
from programmes.models import Indicator, IndicatorValue, QuarterlyReturn, SpendLine
from programmes.services import IndicatorEntry, grant_activate, return_approve, return_record_indicators
from reports.models import Report
from reports.report_services import report_make
from reports.value_for_money import NO_OUTPUT, PEOPLE_CAVEAT
from tests.admin_helpers import count_queries
from tests.factories import (
    AllocationFactory,
    BudgetLineFactory,
    FundingStreamFactory,
    GrantChargeFactory,
    GrantFactory,
    IndicatorFactory,
    OrganisationFactory,
    ProgrammeFactory,
    UserFactory,
    funded_grant,
)
from tests.return_helpers import submit

pytestmark = pytest.mark.django_db

YEAR = FinancialYear(2024)
URL = "/admin/dashboards/value-for-money/"


def returns_of(grant) -> dict[int, QuarterlyReturn]:
    return {r.quarter: r for r in QuarterlyReturn.objects.filter(grant=grant, financial_year=YEAR.start_year)}


def file_return(quarterly_return, spend: dict[str, str], outputs: dict[Indicator, str], *, approve=None):
    """A provider's return with its spend by budget line and a figure for every indicator of the programme (the
    indicators not named get 0), submitted, and approved by `approve` (an officer) if given."""
    grant = quarterly_return.grant
    approver = UserFactory(organisation=grant.provider, roles=[Role.PROVIDER_APPROVER])
    indicators = Indicator.objects.filter(programme=grant.programme, scope=Indicator.Scope.PROGRAMME)
    return_record_indicators(
        quarterly_return=quarterly_return,
        user=approver,
        entries=[IndicatorEntry(indicator=i, value=Decimal(outputs.get(i, "0"))) for i in indicators],
    )
    submit(quarterly_return, approver, spend)
    if approve is not None:
        return_approve(quarterly_return=quarterly_return, user=approve)


def independent_cost(indicator, *, grants=None, quarters=(1, 2, 3, 4)) -> tuple[Decimal, Decimal, Decimal | None]:
    """(spent, output, cost per unit) from the approved returns' spend lines and indicator values."""
    approved = QuarterlyReturn.objects.filter(
        financial_year=YEAR.start_year,
        quarter__in=quarters,
        status=QuarterlyReturn.Status.APPROVED,
        grant__programme=indicator.programme,
    )
    if grants is not None:
        approved = approved.filter(grant__in=grants)
    spent = SpendLine.objects.filter(quarterly_return__in=approved).aggregate(total=Sum("actual"))["total"]
    output = IndicatorValue.objects.filter(
        quarterly_return__in=approved, indicator=indicator, breakdown="", approved_at__isnull=False
    ).aggregate(total=Sum("value"))["total"]
    spent = Decimal(spent or 0).quantize(Decimal("0.01"))
    output = Decimal(output or 0)
    per_unit = (spent / output).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if output else None
    return spent, output, per_unit


@pytest.fixture
def estate(officer):
    """The Navigator Programme from two providers, one grant co-funded two to one by two streams; and parks work
    that delivered nothing it counts.

    Approved: the shared grant's Q1 and Q2, the single grant's Q1, the parks grant's Q1. Waiting for review: the
    shared grant's Q3 (spend and 100 children that must not count) and the single grant's Q2. The office has also
    entered an approved figure for the single grant's Q3, whose return is not approved.
    """
    first = FundingStreamFactory(name="Serious Violence Duty", start_date=YEAR.start, end_date=YEAR.end)
    second = FundingStreamFactory(name="Core grants", start_date=YEAR.start, end_date=YEAR.end)
    AllocationFactory(stream=first, financial_year=YEAR.start_year, amount=gbp("100000.00"))
    AllocationFactory(stream=second, financial_year=YEAR.start_year, amount=gbp("50000.00"))
    navigator = ProgrammeFactory(name="Navigator Programme")
    children = IndicatorFactory(programme=navigator, name="Children supported", counts_people=True)
    sessions = IndicatorFactory(programme=navigator, name="Sessions run", counts_people=False)
    schools = IndicatorFactory(
        programme=navigator, name="Schools signed up", counts_people=False, aggregation=Indicator.Aggregation.LATEST
    )
    IndicatorFactory(programme=navigator, name="Children completing support", kind=Indicator.Kind.OUTCOME)
    parks = ProgrammeFactory(name="Parks safety")
    sweeps = IndicatorFactory(programme=parks, name="Knife sweeps completed", counts_people=False)

    shared = GrantFactory(
        amount=gbp("36000.00"),
        start_date=YEAR.start,
        end_date=YEAR.end,
        identifier="360G-T-SHARED",
        programme=navigator,
        provider=OrganisationFactory(name="Reachable Moment"),
    )
    GrantChargeFactory(grant=shared, stream=first, financial_year=YEAR.start_year, amount=gbp("24000.00"))
    GrantChargeFactory(grant=shared, stream=second, financial_year=YEAR.start_year, amount=gbp("12000.00"))
    BudgetLineFactory(grant=shared, name="Caseworkers", amount=gbp("24000.00"))
    BudgetLineFactory(grant=shared, name="Travel", amount=gbp("12000.00"), category="travel", cost_type="non-labour")
    single = funded_grant(
        amount="20000.00",
        year=YEAR.start_year,
        stream=first,
        identifier="360G-T-SINGLE",
        programme=navigator,
        provider=OrganisationFactory(name="Youth Service"),
    )
    park_grant = funded_grant(
        amount="8000.00",
        year=YEAR.start_year,
        stream=second,
        identifier="360G-T-PARKS",
        programme=parks,
        provider=OrganisationFactory(name="City Council"),
    )
    for grant in (shared, single, park_grant):
        grant_activate(grant=grant, user=officer)

    line = single.budget_lines.get().name
    park_line = park_grant.budget_lines.get().name
    file_return(
        returns_of(shared)[1],
        {"Caseworkers": "6300.00", "Travel": "2700.00"},
        {children: "31", sessions: "12", schools: "5"},
        approve=officer,
    )
    file_return(
        returns_of(shared)[2],
        {"Caseworkers": "6000.00", "Travel": "3000.00"},
        {children: "45", sessions: "0", schools: "9"},
        approve=officer,
    )
    file_return(returns_of(shared)[3], {"Caseworkers": "6000.00", "Travel": "3000.00"}, {children: "100"})
    file_return(returns_of(single)[1], {line: "4500.00"}, {children: "15", sessions: "3"}, approve=officer)
    file_return(returns_of(single)[2], {line: "4000.00"}, {children: "40", sessions: "9"})
    file_return(returns_of(park_grant)[1], {park_line: "2000.00"}, {sweeps: "0"}, approve=officer)
    IndicatorValue.objects.create(
        indicator=children,
        grant=single,
        source=IndicatorValue.Source.OFFICE,
        financial_year=YEAR.start_year,
        quarter=3,
        value=Decimal("500"),
        approved_at=timezone.now(),
        approved_by=officer,
    )
    return {
        "children": children,
        "sessions": sessions,
        "schools": schools,
        "sweeps": sweeps,
        "shared": shared,
        "single": single,
        "parks": park_grant,
    }


def by_name(vfm, name):
    return next(item for item in vfm.indicators if item.indicator.name == name)


def test_each_output_costs_what_approved_returns_spent_over_what_they_delivered(officer_client, estate):
    response = officer_client.get(f"{URL}?year=2024")
    assert response.status_code == 200
    vfm = response.context["vfm"]
    children = by_name(vfm, "Children supported")

    spent, output, per_unit = independent_cost(estate["children"])
    assert (children.total.spent.amount, children.total.output, children.total.per_unit.amount) == (
        spent,
        output,
        per_unit,
    )
    # 9,000 + 9,000 + 4,500 over 31 + 45 + 15 children: nothing from the returns waiting for review (the shared
    # grant's Q3 with 100 children, the single grant's Q2) nor the office's figure for an unapproved quarter.
    assert (spent, output, per_unit) == (Decimal("22500.00"), Decimal("91"), Decimal("247.25"))

    for grant, provider in ((estate["shared"], "Reachable Moment"), (estate["single"], "Youth Service")):
        line = next(line for line in children.by_provider if line.label == provider)
        assert line.total.per_unit.amount == independent_cost(estate["children"], grants=[grant])[2], provider
    assert [line.label for line in children.by_programme] == ["Navigator Programme"]

    for quarter, cost in zip(YEAR.quarters, children.by_quarter, strict=True):
        expected = independent_cost(estate["children"], quarters=[quarter.number])
        assert (cost.spent.amount, cost.output, cost.per_unit and cost.per_unit.amount) == expected, quarter
    assert [cost.missing for cost in children.by_quarter] == ["", "", "No approved return", "No approved return"]

    html = response.content.decode()
    assert format_gbp(per_unit) in html  # £247.25
    assert "£236.84" in html  # the shared grant alone: 18,000 over 76
    assert "£300.00" in html  # the single grant alone: 4,500 over 15
    assert PEOPLE_CAVEAT in html
    assert "Counts people, who may be counted by several programmes." in html


def test_no_output_gives_no_figure_and_says_so(officer_client, estate):
    response = officer_client.get(f"{URL}?year=2024")
    vfm = response.context["vfm"]
    sweeps = by_name(vfm, "Knife sweeps completed")
    assert sweeps.total.spent == gbp("2000.00") and sweeps.total.output == 0
    assert sweeps.total.per_unit is None and sweeps.total.missing == NO_OUTPUT
    sessions = by_name(vfm, "Sessions run")
    q2 = sessions.by_quarter[1]
    assert (q2.spent, q2.output, q2.per_unit, q2.missing) == (gbp("9000.00"), 0, None, NO_OUTPUT)
    assert sessions.total.per_unit == gbp("1500.00")  # 22,500 over 12 + 3 sessions: Q2's 9,000 ran none
    html = response.content.decode()
    row = html[html.index("Knife sweeps completed") :].split("</tr>")[0]
    assert "No approved output" in row and "£2,000.00" in row and row.count("£") == 1  # the spend, and no cost


def test_running_totals_and_outcomes_have_no_cost_per_unit(officer_client, estate):
    vfm = officer_client.get(f"{URL}?year=2024").context["vfm"]
    names = [item.indicator.name for item in vfm.indicators]
    assert names == ["Children supported", "Sessions run", "Knife sweeps completed"]
    assert [indicator.name for indicator in vfm.not_costed] == ["Schools signed up"]


def test_a_year_with_no_approved_return_shows_no_figure(officer_client, estate):
    response = officer_client.get(f"{URL}?year=2023")
    assert response.status_code == 200
    assert response.context["vfm"].indicators == []
    assert "No output with a cost per unit has an approved return in 2023/24." in response.content.decode()


def test_the_table_downloads_as_csv(officer_client, estate):
    response = officer_client.get(f"{URL}?year=2024&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="value-for-money-2024.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    whole = {
        (row["Indicator"], row["Provider"]): row
        for row in rows
        if row["Period"] == "2024/25" and row["Indicator"] in ("Children supported", "Knife sweeps completed")
    }
    children = whole[("Children supported", "All providers")]
    assert (children["Spent (£)"], children["Approved output"], children["Cost per unit (£)"]) == (
        "22500.00",
        "91",
        "247.25",
    )
    assert children["Note"] == PEOPLE_CAVEAT
    sweeps = whole[("Knife sweeps completed", "All providers")]
    assert (sweeps["Cost per unit (£)"], sweeps["Note"]) == ("", NO_OUTPUT)
    q1 = next(
        r
        for r in rows
        if r["Indicator"] == "Children supported" and r["Provider"] == "Youth Service" and r["Period"] == "Q1 2024/25"
    )
    assert (q1["Spent (£)"], q1["Approved output"], q1["Cost per unit (£)"]) == ("4500.00", "15", "300.00")


def test_board_viewers_and_finance_read_it_and_it_is_in_the_dashboards_menu(board_client, finance_client, estate):
    assert board_client.get(URL).status_code == 200
    assert finance_client.get(f"{URL}?year=2024&format=csv").status_code == 200
    # The sidebar is drawn from JSON props, so the menu item's URL is there, not in a link.
    assert "Value for money" in board_client.get("/admin/").content.decode()
    assert "value-for-money" in board_client.get("/admin/").content.decode()


def test_content_editors_and_providers_are_refused(client, content_editor, provider_client, estate):
    client.force_login(content_editor)
    for url in (URL, f"{URL}?year=2024&format=csv"):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/admin/"), url
        # Providers never reach the back office: they are sent to sign in, or to their portal.
        response = provider_client.get(url)
        assert response.status_code == 302, url
        assert "/login/" in response["Location"] or response["Location"].startswith("/portal/"), url
    assert "value-for-money" not in client.get("/admin/").content.decode()


def test_an_unknown_year_is_not_found(officer_client):
    assert officer_client.get(f"{URL}?year=last").status_code == 404


def grow(officer, prefix: str, grants: int):
    """More programmes, providers, outputs and grants with approved returns: what must not add queries."""
    stream = FundingStreamFactory()
    for n in range(grants):
        programme = ProgrammeFactory(name=f"Programme {prefix}{n}")
        output = IndicatorFactory(programme=programme, name=f"Output {prefix}{n}")
        grant = funded_grant(
            amount="4000.00",
            year=YEAR.start_year,
            stream=stream,
            allocation="1000000.00",
            identifier=f"360G-{prefix}-{n:03d}",
            programme=programme,
            provider=OrganisationFactory(name=f"Provider {prefix}{n}"),
        )
        grant_activate(grant=grant, user=officer)
        line = grant.budget_lines.get().name
        for quarter in (1, 2):
            file_return(returns_of(grant)[quarter], {line: "1000.00"}, {output: str(n + quarter)}, approve=officer)


def test_queries_do_not_grow_with_the_estate(officer_client, officer):
    grow(officer, "A", grants=1)
    urls = [f"{URL}?year=2024", f"{URL}?year=2024&format=csv"]
    small = {url: count_queries(officer_client, url) for url in urls}
    grow(officer, "B", grants=6)
    large = {url: count_queries(officer_client, url) for url in urls}
    assert large == small
    assert len(officer_client.get(urls[0]).context["vfm"].indicators) == 7


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def test_the_board_pack_gives_the_quarters_and_the_year_to_dates_cost_per_unit(estate, officer, tmp_path, monkeypatch):
    monkeypatch.setattr(Report._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path))
    report = Report.objects.create(
        kind=Report.Kind.BOARD_PACK,
        file_format=Report.Format.PDF,
        financial_year=YEAR.start_year,
        quarter=2,
        requested_by=officer,
    )
    report = report_make(report_id=report.pk)
    assert report.status == Report.Status.READY, report.error
    with report.file.open("rb") as made:
        text = " ".join(pdf_text(made.read()).split())
    section = text[text.rindex("Value for money") :]
    assert "Q2 2024/25" in section and "Year to date" in section and "Q1 to Q2 2024/25" in section
    quarter = independent_cost(estate["children"], quarters=[2])
    to_date = independent_cost(estate["children"], quarters=[1, 2])
    assert (quarter[2], to_date[2]) == (Decimal("200.00"), Decimal("247.25"))
    children = section[section.index("Children supported") :]
    # Q2: 9,000 over 45; the year to date: 22,500 over 91; then each provider's line.
    assert children.startswith("Children supported * £9,000.00 45 £200.00 £22,500.00 91 £247.25"), children[:200]
    assert "Youth Service No approved return £4,500.00 15 £300.00" in section
    assert "Knife sweeps completed" in section and "No approved output" in section
    assert PEOPLE_CAVEAT in section
    contents = text[text.index("Contents") : text.index("Money in")]
    assert "Variations, overrides and limits passed" in contents and "Value for money" in contents
