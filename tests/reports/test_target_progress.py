"""Progress against a target is worded in one place (YearFigures.target_progress): a share of a target to reach,
and for a lower-is-better indicator, how far above or within its ceiling, never "101%" of it."""

from decimal import Decimal

import pytest

from funding.fiscal import FinancialYear
from programmes.models import Indicator
from reports.public import PublicFigure, YearFigures
from reports.suppression import Shown
from tests.cms.data import active_grant, approved_return
from tests.factories import IndicatorFactory, TargetFactory

D = Decimal
LOWER, HIGHER = Indicator.Direction.LOWER, Indicator.Direction.HIGHER


def year(value, target, direction, unit="count", state=Shown.SHOWN) -> YearFigures:
    return YearFigures(
        financial_year=FinancialYear(2024),
        total=PublicFigure.of(unit, None if value is None else D(value), state),
        to_quarter=None,
        target=None if target is None else D(target),
        direction=direction,
    )


@pytest.mark.parametrize(
    ("value", "target", "direction", "unit", "words"),
    [
        ("44", "55", HIGHER, "count", "80% of the target of 55"),
        ("61", "55", HIGHER, "count", "111% of the target of 55"),
        ("34", "30", LOWER, "count", "4 above the ceiling of 30"),
        ("304", "300", LOWER, "count", "4 above the ceiling of 300"),  # the "101%" the tester saw
        ("30", "30", LOWER, "count", "at the ceiling of 30"),
        ("24", "30", LOWER, "count", "within the ceiling of 30 (6 below)"),
        ("62.5", "60", LOWER, "percentage", "2.5 percentage points above the ceiling of 60%"),
        ("1200", "1000", LOWER, "money", "£200.00 above the ceiling of £1,000.00"),
    ],
)
def test_progress_against_a_target_or_a_ceiling_in_words(value, target, direction, unit, words):
    figures = year(value, target, direction, unit)
    assert figures.target_progress == words
    assert "%" not in figures.share_of_target or direction == HIGHER  # no share of a ceiling, anywhere


@pytest.mark.parametrize(
    "figures",
    [
        year("34", None, LOWER),  # no target
        year(None, "30", LOWER, state=Shown.WITHHELD),  # the figure is not published
        year(None, "30", HIGHER, state=Shown.SMALL),
        year("10", "0", HIGHER),  # a target of nothing has no share
    ],
)
def test_no_progress_is_worded_without_a_target_and_a_shown_figure(figures):
    assert figures.target_progress == ""


@pytest.fixture
def ceiling_indicator(db, officer, provider, provider_approver):
    grant = active_grant(officer=officer, provider=provider)
    asb = IndicatorFactory(
        name="Anti-social behaviour incidents", programme=grant.programme, direction=LOWER, counts_people=False
    )
    TargetFactory(indicator=asb, grant=None, programme=grant.programme, financial_year=2023, value=D(30))
    for quarter, figure in ((1, 20), (2, 14)):
        approved_return(grant, quarter, provider_approver, officer, {asb: figure})
    return asb


def test_the_office_dashboard_words_it_the_same_way(officer_client, ceiling_indicator):
    programme = ceiling_indicator.programme
    response = officer_client.get(f"/admin/dashboards/programmes/{programme.pk}/?year=2023")
    assert response.status_code == 200
    html = response.content.decode()
    assert "4 above the ceiling of 30" in html
    assert "113%" not in html
