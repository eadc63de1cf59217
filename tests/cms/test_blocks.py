"""The blocks editors place in page bodies: what they refuse, and what they render from approved data."""

import pytest
from wagtail.blocks.struct_block import StructBlockValidationError

from cms.blocks import (
    CHART_NEEDS_ONE,
    LIVE_FIGURE_NEEDS_ONE,
    LIVE_FIGURE_NO_BASELINE,
    LIVE_FIGURE_PROGRAMMES_BY_PROGRAMME,
    ChartBlock,
    LiveFigureBlock,
)
from tests.cms.data import active_grant, approved_return
from tests.factories import FundingStreamFactory, IndicatorFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def errors(block, **value) -> dict[str, str]:
    with pytest.raises(StructBlockValidationError) as raised:
        block.clean(block.to_python({**block.get_default(), **value}))
    return {name: error.messages[0] for name, error in raised.value.block_errors.items()}


def test_a_live_figure_needs_an_indicator_or_a_money_measure_and_not_both(db):
    indicator = IndicatorFactory()
    block = LiveFigureBlock()
    assert errors(block) == {"indicator": LIVE_FIGURE_NEEDS_ONE}
    assert errors(block, indicator=indicator.pk, measure="spent") == {"indicator": LIVE_FIGURE_NEEDS_ONE}
    assert errors(block, indicator=indicator.pk, show="change") == {
        "show": LIVE_FIGURE_NO_BASELINE.format(indicator=indicator)
    }
    assert errors(block, measure="programmes", programme=ProgrammeFactory().pk) == {
        "programme": LIVE_FIGURE_PROGRAMMES_BY_PROGRAMME
    }
    assert block.clean(block.to_python({**block.get_default(), "measure": "spent"}))["measure"] == "spent"


def test_a_chart_needs_an_indicator_or_a_stream_and_not_both(db):
    block = ChartBlock()
    assert errors(block) == {"indicator": CHART_NEEDS_ONE}
    assert errors(block, indicator=IndicatorFactory().pk, stream=FundingStreamFactory().pk) == {
        "indicator": CHART_NEEDS_ONE
    }


def test_a_live_figure_renders_the_latest_approved_value_with_its_label_and_date(officer, provider, provider_approver):
    programme = ProgrammeFactory()
    indicator = IndicatorFactory(programme=programme, name="Children supported", counts_people=True)
    grant = active_grant(officer=officer, provider=provider, programme=programme)
    approved_return(grant, 1, provider_approver, officer, {indicator: 52})
    approved_return(grant, 2, provider_approver, officer, {indicator: 61})
    block = LiveFigureBlock()
    html = block.render(block.to_python({**block.get_default(), "indicator": indicator.pk}))
    assert ">113<" in html and "Children supported, 2023/24, April to September" in html
    assert "Updated " in html

    money = block.render(block.to_python({**block.get_default(), "measure": "invested"}))
    assert "£40k" in money and "Exactly £40,000.00" in money


def test_a_chart_block_renders_the_chart_its_table_and_a_csv_link(officer, provider, provider_approver):
    stream = FundingStreamFactory(name="Serious Violence Duty", slug="svd")
    active_grant(officer=officer, provider=provider, stream=stream)
    block = ChartBlock()
    html = block.render(block.to_python({"stream": stream.pk, "indicator": None, "title": ""}))
    assert 'role="img"' in html and "<caption" in html
    assert 'href="/data/funding-streams/svd.csv"' in html
    assert "Allocated" in html and "£100k" in html  # the stream's allocation for 2023/24
