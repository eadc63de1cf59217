import csv
import io
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from funding.money import format_gbp_short
from reports.charts import Chart, Series
from reports.formats import format_exact, format_short

SVG = "{http://www.w3.org/2000/svg}"
QUARTERS = ("Q1 2024/25", "Q2 2024/25", "Q3 2024/25", "Q4 2024/25", "Q1 2025/26")


def referrals_chart(**overrides) -> Chart:
    options = {
        "title": "Referrals received",
        "summary": "Referrals rose from 40 to 61.",
        "categories": QUARTERS,
        "series": (
            Series(
                "Referrals",
                (Decimal(40), Decimal(61), None, Decimal(55), Decimal(3)),
                display=(None,) * 4 + ("fewer than 5",),
            ),
        ),
        "target": Series("Target", (Decimal(55),) * 5),
    }
    return Chart(**{**options, **overrides})


def parsed(chart: Chart) -> ET.Element:
    return ET.fromstring(str(chart.svg()))


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("969640", "£970k"),
        ("3100000", "£3.1m"),
        ("3000000", "£3m"),
        ("999600", "£1m"),
        ("12350000", "£12.4m"),
        ("850.40", "£850"),
        ("0", "£0"),
    ],
)
def test_money_is_rounded_for_headlines(amount, expected):
    assert format_gbp_short(Decimal(amount)) == expected


def test_exact_and_short_formats_by_unit():
    assert format_exact("money", Decimal("969640")) == "£969,640.00"
    assert format_exact("count", Decimal("1234.00")) == "1,234"
    assert format_exact("percentage", Decimal("62.50")) == "62.5%"
    assert format_short("percentage", Decimal("62.5")) == "63%"
    assert format_exact("hours", Decimal("7.25")) == "7.25"


def test_svg_is_labelled_for_assistive_technology():
    svg = parsed(referrals_chart())
    chart_id = referrals_chart().id
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    assert svg.find(f"{SVG}title").text == "Referrals received"
    assert svg.find(f"{SVG}desc").text == "Referrals rose from 40 to 61."
    # Drawn with inline attributes only, so it looks the same without our stylesheet (admin, PDF).
    assert all(element.get("class") is None for element in svg.iter())


def test_text_from_editors_and_data_is_escaped():
    chart = referrals_chart(title='<script>alert("x")</script>', series=(Series("A & B", (Decimal(1),) * 5),))
    markup = str(chart.svg())
    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup and "A &amp; B" in markup
    parsed(chart)  # still well-formed XML


def test_bar_chart_draws_a_bar_for_each_figure_and_leaves_gaps():
    svg = parsed(referrals_chart(target=None))
    bars = svg.findall(f"{SVG}rect")
    assert len(bars) == 4  # five quarters, one without a figure; one series, so no legend key
    titles = [bar.find(f"{SVG}title").text for bar in bars]
    assert "Referrals, Q2 2024/25: 61" in titles
    assert "Referrals, Q1 2025/26: fewer than 5" in titles


def test_taller_figure_draws_a_taller_bar():
    svg = parsed(referrals_chart(target=None))
    heights = {
        bar.find(f"{SVG}title").text.split(": ")[0]: float(bar.get("height")) for bar in svg.findall(f"{SVG}rect")
    }
    assert heights["Referrals, Q2 2024/25"] > heights["Referrals, Q1 2024/25"] > heights["Referrals, Q1 2025/26"]


def test_line_chart_breaks_its_line_at_a_gap():
    svg = parsed(referrals_chart(kind="line", target=None))
    path = svg.find(f"{SVG}path").get("d")
    assert path.count("M") == 2  # Q1–Q2, then Q4 onwards
    assert len(svg.findall(f"{SVG}circle")) == 4


def test_target_is_drawn_and_in_the_legend():
    svg = parsed(referrals_chart())
    texts = [text.text for text in svg.iter(f"{SVG}text")]
    assert "Target" in texts and "Referrals" in texts
    dashed = [line for line in svg.iter(f"{SVG}line") if line.find(f"{SVG}title") is not None]
    assert len(dashed) == 5


def test_quarter_labels_wrap_and_show_each_year_once():
    quarters = tuple(f"Q{n} {year}" for year in ("2023/24", "2024/25", "2025/26") for n in (1, 2, 3, 4))
    chart = Chart(title="Sessions", summary="", categories=quarters, series=(Series("Sessions", (Decimal(5),) * 12),))
    texts = [text.text for text in parsed(chart).iter(f"{SVG}text")]
    assert [texts.count(year) for year in ("2023/24", "2024/25", "2025/26")] == [1, 1, 1]
    assert texts.count("Q1") == 3 and texts.count("Q4") == 3


def test_short_labels_stay_on_one_line():
    texts = [text.text for text in parsed(referrals_chart()).iter(f"{SVG}text")]
    assert "Q2 2024/25" in texts


def test_money_axis_uses_rounded_money_and_reaches_the_largest_value():
    chart = Chart(
        title="Spend",
        summary="Spend by year.",
        categories=("2023/24", "2024/25"),
        series=(Series("Spent", (Decimal("320000.50"), Decimal("969640"))),),
        unit="money",
    )
    texts = [text.text for text in parsed(chart).iter(f"{SVG}text")]
    assert "£0" in texts
    assert any(label.startswith("£1m") or label == "£1m" for label in texts)


def test_negative_values_put_zero_inside_the_axis():
    chart = Chart(
        title="Change",
        summary="Down 38%.",
        categories=("2021", "2023"),
        series=(Series("Change", (Decimal(0), Decimal(-38))),),
        kind="line",
        unit="percentage",
    )
    texts = [text.text for text in parsed(chart).iter(f"{SVG}text")]
    assert "0%" in texts and "-40%" in texts


def test_every_series_needs_a_value_for_every_category():
    with pytest.raises(ValueError, match="'Referrals' has 2 values for 5 labels"):
        referrals_chart(series=(Series("Referrals", (Decimal(1), Decimal(2))),))


def test_table_has_exact_figures_and_suppressed_text():
    table = referrals_chart(unit="money").table()
    assert table.headers == ("Period", "Referrals", "Target")
    assert table.rows[1] == ("Q2 2024/25", "£61.00", "£55.00")
    assert table.rows[2][1] == "No figure"
    assert table.rows[4][1] == "fewer than 5"


def test_csv_download_has_plain_numbers():
    response = referrals_chart().csv_response("referrals.csv")
    assert response["Content-Disposition"] == 'attachment; filename="referrals.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Period", "Referrals", "Target"]
    assert rows[2] == ["Q2 2024/25", "61", "55"]
    assert rows[3][1] == "" and rows[5][1] == "fewer than 5"


def test_include_renders_title_summary_chart_table_and_download():
    html = render_to_string(
        "reports/includes/chart.html", {"chart": referrals_chart(), "csv_url": "/data.csv", "heading_level": 3}
    )
    assert '<h3 class="govuk-heading-s"' in html and "Referrals rose from 40 to 61." in html
    assert 'role="img"' in html
    assert '<th scope="row" class="govuk-table__header">Q2 2024/25</th>' in html
    assert 'href="/data.csv" download' in html


def test_include_says_when_there_is_nothing_to_show():
    empty = referrals_chart(series=(Series("Referrals", (None,) * 5),), target=None)
    html = render_to_string("reports/includes/chart.html", {"chart": empty})
    assert "There are no approved figures to show yet." in html
    assert "<svg" not in html
