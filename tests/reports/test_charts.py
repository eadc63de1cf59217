import csv
import io
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from funding.money import format_gbp_short
from reports.charts import FONT_SIZE, SLANT, Chart, Series, text_width
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


def bars(svg: ET.Element) -> list[ET.Element]:
    """The bars drawn for figures: rectangles with a tooltip that are not a gap's column."""
    return [rect for rect in svg.iter(f"{SVG}rect") if has_title(rect) and not rect.get("data-gap")]


def has_title(element: ET.Element) -> bool:
    return element.find(f"{SVG}title") is not None


def gaps(svg: ET.Element, kind: str) -> list[ET.Element]:
    """A gap's column in the plot (its legend key has no tooltip)."""
    return [rect for rect in svg.iter(f"{SVG}rect") if rect.get("data-gap") == kind and has_title(rect)]


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
    drawn = bars(svg)
    assert len(drawn) == 4  # five quarters, one without a figure
    titles = [bar.find(f"{SVG}title").text for bar in drawn]
    assert "Referrals, Q2 2024/25: 61" in titles
    assert "Referrals, Q1 2025/26: fewer than 5" in titles


def test_taller_figure_draws_a_taller_bar():
    svg = parsed(referrals_chart(target=None))
    heights = {bar.find(f"{SVG}title").text.split(": ")[0]: float(bar.get("height")) for bar in bars(svg)}
    assert heights["Referrals, Q2 2024/25"] > heights["Referrals, Q1 2024/25"] > heights["Referrals, Q1 2025/26"]


def test_line_chart_breaks_its_line_at_a_gap():
    svg = parsed(referrals_chart(kind="line", target=None))
    path = svg.find(f"{SVG}path").get("d")
    assert path.count("M") == 2  # Q1–Q2, then Q4 onwards
    assert len([circle for circle in svg.iter(f"{SVG}circle") if circle.find(f"{SVG}title") is not None]) == 4


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


def test_short_labels_stay_on_one_line_where_they_fit():
    four = referrals_chart(categories=QUARTERS[:4], series=(Series("Referrals", (Decimal(1),) * 4),), target=None)
    texts = [text.text for text in parsed(four).iter(f"{SVG}text")]
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


# --- Gaps: a suppressed or missing figure never looks like zero ---------------------------------------------------


def test_zero_a_suppressed_figure_and_no_figure_each_look_different():
    chart = Chart(
        title="Referrals",
        summary="",
        categories=QUARTERS[:3],
        series=(Series("Referrals", (Decimal(0), None, None), display=(None, "fewer than 5", None)),),
    )
    svg = parsed(chart)
    (zero,) = bars(svg)
    assert zero.find(f"{SVG}title").text == "Referrals, Q1 2024/25: 0"
    assert float(zero.get("height")) >= 2  # a zero is a figure: a thin bar on the axis
    (suppressed,) = gaps(svg, "suppressed")
    (missing,) = gaps(svg, "missing")
    assert suppressed.find(f"{SVG}title").text == "Referrals, Q2 2024/25: fewer than 5"
    assert missing.find(f"{SVG}title").text == "Referrals, Q3 2024/25: No figure"
    assert missing.get("stroke-dasharray") and not suppressed.get("stroke-dasharray")
    # Each gap is a column across the plot, far taller than the zero bar, hatched when suppressed.
    assert float(suppressed.get("height")) > 100 and float(missing.get("height")) > 100
    hatching = [path for path in svg.iter(f"{SVG}path") if path.get("d", "").count("M") > 3]
    assert len(hatching) == 2  # the column's and the legend key's
    texts = [text.text for text in svg.iter(f"{SVG}text")]
    assert "suppressed" in texts and "no figure" in texts


def test_the_legend_explains_the_gaps_even_with_one_series():
    chart = referrals_chart(
        target=None,
        series=(
            Series("Referrals", (Decimal(40), None, None, None, Decimal(7)), ("", "fewer than 5", "", "not shown")),
        ),
    )
    svg = parsed(chart)
    texts = [text.text for text in svg.iter(f"{SVG}text")]
    assert "Referrals" in texts
    assert "Suppressed (fewer than 5 or not shown)" in texts
    assert "No figure" in texts
    legend_keys = [rect for rect in svg.iter(f"{SVG}rect") if rect.get("data-gap") and not has_title(rect)]
    assert {key.get("data-gap") for key in legend_keys} == {"suppressed", "missing"}


def test_a_chart_without_gaps_or_a_second_series_has_no_legend():
    chart = referrals_chart(target=None, series=(Series("Referrals", (Decimal(1),) * 5),))
    texts = [text.text for text in parsed(chart).iter(f"{SVG}text")]
    assert "Referrals" not in texts and not any(text.startswith("Suppressed") for text in texts)


def test_a_line_chart_marks_its_gaps_too():
    svg = parsed(referrals_chart(kind="line", target=None))
    (missing,) = gaps(svg, "missing")
    assert missing.find(f"{SVG}title").text == "Referrals, Q3 2024/25: No figure"


# --- Category labels never overlap ----------------------------------------------------------------------------

AREAS = (
    "Cannock Chase",
    "East Staffordshire",
    "Lichfield",
    "Newcastle-under-Lyme",
    "South Staffordshire",
    "Stafford",
    "Staffordshire Moorlands",
    "Stoke-on-Trent",
    "Tamworth",
)


def quarters(count: int, first: int = 0) -> tuple[str, ...]:
    """Quarters from Q1 2015/16, or `first` quarters later."""
    return tuple(f"Q{n % 4 + 1} {2015 + n // 4}/{(16 + n // 4) % 100:02d}" for n in range(first, first + count))


def category_labels(svg: ET.Element) -> list[ET.Element]:
    """The x axis's labels: centred or slanted text below the plot (the y axis's are anchored at their end and
    unrotated; a gap's word is turned upright, by -90°)."""
    return [
        text
        for text in svg.iter(f"{SVG}text")
        if (text.get("text-anchor") == "middle" and not text.get("transform"))
        or "rotate(-45" in (text.get("transform") or "")
    ]


def assert_labels_apart(svg: ET.Element) -> None:
    labels = category_labels(svg)
    assert labels, "no category is labelled"
    slanted = [label for label in labels if label.get("transform")]
    if slanted:
        xs = [float(label.get("x")) for label in slanted]
        for left, right in zip(xs, xs[1:], strict=False):
            assert (right - left) * SLANT >= FONT_SIZE, "slanted labels closer than a line apart"
        for label in slanted:  # each runs down-left from its end: it must start inside the picture
            assert float(label.get("x")) - text_width(label.text) * SLANT >= 0, label.text
        return
    rows: dict[str, list[tuple[float, str]]] = {}
    for label in labels:
        rows.setdefault(label.get("y"), []).append((float(label.get("x")), label.text))
    for row in rows.values():
        row.sort()
        for (x1, text1), (x2, text2) in zip(row, row[1:], strict=False):
            assert x2 - x1 >= (text_width(text1) + text_width(text2)) / 2, f"{text1!r} runs into {text2!r}"
        for x, text in row:
            assert text_width(text) / 2 <= x <= 560 - text_width(text) / 2, f"{text!r} runs off the chart"


@pytest.mark.parametrize(
    "categories",
    [
        quarters(5),
        quarters(12),
        quarters(20),
        quarters(20, first=3),  # the parks chart: from a Q4, so two years' labels fall a quarter apart
        quarters(40),
        quarters(100),
        AREAS,
        AREAS * 3,
        tuple(f"{year}/{(year + 1) % 100:02d}" for year in range(1990, 2030)),
        tuple("Safer Places for Women and Girls Charter signatories" for _ in range(6)),
    ],
    ids=[
        "5 quarters",
        "12 quarters",
        "20 quarters",
        "parks",
        "40 quarters",
        "100 quarters",
        "areas",
        "27 areas",
        "40 years",
        "long",
    ],
)
@pytest.mark.parametrize("kind", ["bar", "line"])
def test_category_labels_never_overlap(categories, kind):
    values = tuple(Decimal(n % 7) for n in range(len(categories)))
    chart = Chart(title="Many", summary="", categories=categories, series=(Series("Figure", values),), kind=kind)
    assert_labels_apart(parsed(chart))


def test_names_that_do_not_fit_across_are_slanted_rather_than_skipped():
    chart = Chart(title="By area", summary="", categories=AREAS, series=(Series("Crimes", (Decimal(3),) * 9),))
    svg = parsed(chart)
    assert [label.text for label in category_labels(svg)] == list(AREAS)
    assert float(svg.get("height")) > 300  # the chart grows to hold them; the plot keeps its height


def test_many_quarters_are_labelled_every_so_often_and_keep_each_year():
    svg = parsed(
        Chart(title="Parks", summary="", categories=quarters(20), series=(Series("Crimes", (Decimal(9),) * 20),))
    )
    texts = [label.text for label in category_labels(svg)]
    assert texts.count("Q1") >= 5 and len(texts) < 40  # thinned, not every quarter
    assert [year for year in texts if "/" in year] == [f"{2015 + n}/{16 + n}" for n in range(5)]
