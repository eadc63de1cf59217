"""The one chart implementation: server-side SVG for the public site, the back office and PDFs (WeasyPrint).

A chart is data, not drawing instructions: a title, a one-sentence summary of what it shows, category labels
along the x axis, one or more series of values, and optionally a target. `svg()` draws it with inline attributes
only (no CSS classes, no JavaScript), so it looks the same in our pages, in the Wagtail admin and in a PDF;
`table()` gives the same data as rows for the table every chart carries, and `csv_response()` the download.

    from reports.charts import Chart, Series

    chart = Chart(
        title="Referrals received",
        summary="Referrals rose from 40 in Q1 2024/25 to 61 in Q2 2024/25, above the target of 55.",
        categories=("Q1 2024/25", "Q2 2024/25"),
        series=(Series("Referrals", (Decimal(40), Decimal(61))),),
        kind="bar",  # or "line"
        unit="count",  # an Indicator.Unit value: "count", "percentage" (0–100), "money" (pounds), "hours"
        target=Series("Target", (Decimal(55), Decimal(55))),
    )

    {% include "reports/includes/chart.html" with chart=chart csv_url=url %}

A value of None is a gap (no figure, or a suppressed one); give `Series.display` the text the table shows in its
place ("fewer than 5"). Categories such as "Q1 2024/25" are wrapped onto two lines and a repeated second line
("2024/25") is shown once, so three years of quarters stay legible.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from django.http import HttpResponse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from reports.formats import COUNT, MONEY, format_exact, format_short

# Colours with at least 3:1 contrast against white (WCAG 1.4.11), told apart by marker and dash pattern as well.
COLOURS = ("#1d70b8", "#a23f0c", "#00703c", "#4c2c92", "#505a5f")
MARKERS = ("circle", "square", "diamond", "triangle")
DASHES = ("", "8 4", "2 4", "12 4 2 4")
TEXT, AXIS, GRID, TARGET = "#0b0c0c", "#505a5f", "#d8dadb", "#0b0c0c"
FONT = "'Source Sans 3', Arial, sans-serif"

WIDTH, HEIGHT = 560, 300
FONT_SIZE = 16
CHAR_WIDTH = FONT_SIZE * 0.55  # an average character of Source Sans 3; only used to avoid overlapping labels
LINE_HEIGHT = 18
LEGEND_GAP = 48  # the key, the space before its label and the space after it
MISSING = "No figure"


@dataclass(frozen=True)
class Series:
    """One line or one set of bars. `display` optionally replaces a value's text in the table ("fewer than 5")."""

    label: str
    values: tuple[Decimal | None, ...]
    display: tuple[str | None, ...] = ()

    def cell(self, index: int, unit: str) -> str:
        if index < len(self.display) and self.display[index]:
            return self.display[index]
        value = self.values[index]
        return MISSING if value is None else format_exact(unit, value)

    def csv_cell(self, index: int) -> str:
        if index < len(self.display) and self.display[index]:
            return self.display[index]
        value = self.values[index]
        return "" if value is None else str(value)


@dataclass(frozen=True)
class ChartTable:
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    title: str
    summary: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    kind: Literal["line", "bar"] = "bar"
    unit: str = COUNT
    target: Series | None = None
    category_label: str = "Period"
    updated: datetime.date | None = None  # when its figures last changed, shown under the chart
    html_id: str = field(default="")

    def __post_init__(self):
        for series in (*self.series, *([self.target] if self.target else [])):
            if len(series.values) != len(self.categories):
                raise ValueError(f"{series.label!r} has {len(series.values)} values for {len(self.categories)} labels")
        if self.kind not in ("line", "bar"):
            raise ValueError(f"A chart is a line or a bar chart, not {self.kind!r}")

    @property
    def id(self) -> str:
        """Stable, so a page renders the same markup every time (and its cache stays valid)."""
        if self.html_id:
            return self.html_id
        digest = hashlib.sha1(f"{self.title}|{'|'.join(self.categories)}".encode()).hexdigest()[:10]
        return f"chart-{digest}"

    @property
    def is_empty(self) -> bool:
        return all(value is None for series in self.series for value in series.values)

    def _all_series(self) -> tuple[Series, ...]:
        return (*self.series, self.target) if self.target else self.series

    def table(self) -> ChartTable:
        """The chart's data with exact figures (£969,640.00 rather than £970k), one row per category."""
        columns = self._all_series()
        rows = tuple(
            (category, *(series.cell(i, self.unit) for series in columns)) for i, category in enumerate(self.categories)
        )
        return ChartTable(self.title, (self.category_label, *(series.label for series in columns)), rows)

    def csv_response(self, filename: str) -> HttpResponse:
        """The data as a CSV download: plain numbers (pounds for money), the table's text for suppressed values."""
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        writer = csv.writer(response)
        columns = self._all_series()
        writer.writerow([self.category_label, *(series.label for series in columns)])
        for i, category in enumerate(self.categories):
            writer.writerow([category, *(series.csv_cell(i) for series in columns)])
        return response

    def svg(self) -> SafeString:
        return _Drawing(self).render()


def _nice_step(span: Decimal, whole: bool) -> Decimal:
    """A round tick interval (1, 2, 2.5 or 5 times a power of ten) giving about four intervals over span."""
    raw = span / 4
    power = Decimal(1).scaleb(raw.adjusted())
    for multiple in (1, 2, Decimal("2.5"), 5, 10):
        step = power * multiple
        if step >= raw:
            break
    return max(step, Decimal(1)) if whole else step


def _wrap(text: str, width: float, max_lines: int = 3) -> list[str]:
    """Words onto lines no wider than width (estimated); what does not fit in max_lines is cut with an ellipsis."""
    lines: list[str] = []
    for word in text.split():
        if lines and (len(lines[-1]) + 1 + len(word)) * CHAR_WIDTH <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    if len(lines) > max_lines:
        limit = max(int(width // CHAR_WIDTH), 4)
        last = " ".join(lines[max_lines - 1 :])
        lines = [*lines[: max_lines - 1], last[: limit - 1] + "…"]
    return lines


class _Drawing:
    """Works out the geometry of one chart and writes its SVG. Pixel positions are floats; values stay Decimal."""

    def __init__(self, chart: Chart):
        self.chart = chart
        values = [v for series in chart._all_series() for v in series.values if v is not None]
        low, high = min([Decimal(0), *values]), max([Decimal(0), *values])
        if low == high:
            high = Decimal(1)
        step = _nice_step(high - low, whole=chart.unit in (COUNT, MONEY))
        self.low = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
        self.high = (high / step).to_integral_value(rounding="ROUND_CEILING") * step
        self.ticks = [self.low + step * i for i in range(int((self.high - self.low) / step) + 1)]
        tick_labels = [format_short(chart.unit, tick) for tick in self.ticks]
        self.left = max(len(label) for label in tick_labels) * CHAR_WIDTH + 14
        self.legend = self._legend_rows()
        self.top = 12 + len(self.legend) * LINE_HEIGHT + (8 if self.legend else 0)
        self.slot = (WIDTH - self.left - 12) / max(len(chart.categories), 1)
        self.category_lines = self._category_lines()
        self.bottom = HEIGHT - 12 - max((len(lines) for lines in self.category_lines), default=1) * LINE_HEIGHT

    def y(self, value: Decimal) -> float:
        share = (value - self.low) / (self.high - self.low)
        return round(self.bottom - float(share) * (self.bottom - self.top), 1)

    def x(self, index: int) -> float:
        return round(self.left + self.slot * (index + 0.5), 1)

    def _legend_rows(self) -> list[list[tuple[int, Series]]]:
        """Legend entries (series index, series; the target is index -1), wrapped into rows across the chart."""
        entries = list(enumerate(self.chart.series))
        if self.chart.target:
            entries.append((-1, self.chart.target))
        if len(entries) < 2:
            return []
        rows: list[list[tuple[int, Series]]] = [[]]
        used = 0.0
        for entry in entries:
            width = LEGEND_GAP + len(entry[1].label) * CHAR_WIDTH
            if rows[-1] and used + width > WIDTH - 24:
                rows.append([])
                used = 0.0
            rows[-1].append(entry)
            used += width
        return rows

    def _category_lines(self) -> list[list[str]]:
        """Each category's label lines. A line repeated from the label before (the year under "Q2") is left
        blank, and when even the first lines would collide only every so many categories are labelled."""
        wrapped = [_wrap(category, self.slot - 6) for category in self.chart.categories]
        widest_first = max((len(lines[0]) for lines in wrapped if lines), default=1) * CHAR_WIDTH + 6
        every = max(1, math.ceil(widest_first / self.slot))
        if every > 1:
            wrapped = [_wrap(category, self.slot * every - 6) for category in self.chart.categories]
        result, previous = [], []
        for index, lines in enumerate(wrapped):
            if index % every:
                result.append([])
                continue
            result.append(
                [line if n == 0 or n >= len(previous) or previous[n] != line else "" for n, line in enumerate(lines)]
            )
            previous = lines
        return result

    def render(self) -> SafeString:
        chart = self.chart
        parts = [
            format_html(
                '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
                'aria-labelledby="{id}-title {id}-desc" font-family="{font}" font-size="{size}" fill="{text}" '
                'style="display:block;width:100%;height:auto;max-width:{w}px">',
                w=WIDTH,
                h=HEIGHT,
                id=chart.id,
                font=FONT,
                size=FONT_SIZE,
                text=TEXT,
            ),
            format_html('<title id="{}-title">{}</title>', chart.id, chart.title),
            format_html('<desc id="{}-desc">{}</desc>', chart.id, chart.summary),
            *self._grid(),
            *(self._bars() if chart.kind == "bar" else self._lines()),
            *self._target(),
            *self._axes(),
            *self._legend(),
            mark_safe("</svg>"),
        ]
        return mark_safe("".join(parts))  # every part was escaped by format_html

    def _grid(self):
        for tick in self.ticks:
            y = self.y(tick)
            colour = AXIS if tick == 0 else GRID
            yield format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>',
                self.left,
                WIDTH - 12,
                y,
                y,
                colour,
            )
            yield format_html(
                '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>',
                self.left - 8,
                y,
                format_short(self.chart.unit, tick),
            )

    def _axes(self):
        yield format_html(
            '<line x1="{x}" x2="{x}" y1="{top}" y2="{bottom}" stroke="{c}" stroke-width="1"/>',
            x=self.left,
            top=self.top,
            bottom=self.bottom,
            c=AXIS,
        )
        for index, lines in enumerate(self.category_lines):
            for n, line in enumerate(lines):
                if line:
                    yield format_html(
                        '<text x="{}" y="{}" text-anchor="middle">{}</text>',
                        self.x(index),
                        self.bottom + 18 + n * LINE_HEIGHT,
                        line,
                    )

    def _point_title(self, series: Series, index: int) -> SafeString:
        return format_html(
            "<title>{}, {}: {}</title>",
            series.label,
            self.chart.categories[index],
            series.cell(index, self.chart.unit),
        )

    def _bars(self):
        count = len(self.chart.series)
        group = self.slot * 0.72
        width = group / count
        zero = self.y(Decimal(0))
        for s, series in enumerate(self.chart.series):
            colour = COLOURS[s % len(COLOURS)]
            for index, value in enumerate(series.values):
                if value is None:
                    continue
                x = round(self.x(index) - group / 2 + width * s + 1, 1)
                top = min(zero, self.y(value))
                yield format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">{}</rect>',
                    x,
                    top,
                    round(max(width - 2, 1), 1),
                    round(abs(self.y(value) - zero), 1),
                    colour,
                    self._point_title(series, index),
                )

    def _lines(self):
        for s, series in enumerate(self.chart.series):
            colour, dash = COLOURS[s % len(COLOURS)], DASHES[s % len(DASHES)]
            path, pen_down = [], False
            for index, value in enumerate(series.values):
                if value is None:
                    pen_down = False  # a gap in the data is a gap in the line
                    continue
                path.append(f"{'L' if pen_down else 'M'}{self.x(index)} {self.y(value)}")
                pen_down = True
            if path:
                yield format_html(
                    '<path d="{}" fill="none" stroke="{}" stroke-width="3" stroke-dasharray="{}"/>',
                    " ".join(path),
                    colour,
                    dash or "none",
                )
            for index, value in enumerate(series.values):
                if value is not None:
                    yield _marker(
                        MARKERS[s % len(MARKERS)],
                        self.x(index),
                        self.y(value),
                        colour,
                        self._point_title(series, index),
                    )

    def _target(self):
        """Each category's target as a dashed step across its slot, so a constant target reads as one line."""
        target = self.chart.target
        if not target:
            return
        for index, value in enumerate(target.values):
            if value is None:
                continue
            y = self.y(value)
            yield format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="2" stroke-dasharray="6 4">{}</line>',
                round(self.left + self.slot * index, 1),
                round(self.left + self.slot * (index + 1), 1),
                y,
                y,
                TARGET,
                self._point_title(target, index),
            )

    def _legend(self):
        for row_number, row in enumerate(self.legend):
            x, y = 12.0, 12 + row_number * LINE_HEIGHT + LINE_HEIGHT / 2
            for s, series in row:
                if s == -1:
                    yield format_html(
                        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="2" stroke-dasharray="6 4"/>',
                        x,
                        x + 24,
                        y,
                        y,
                        TARGET,
                    )
                elif self.chart.kind == "bar":
                    yield format_html(
                        '<rect x="{}" y="{}" width="16" height="12" fill="{}"/>',
                        x + 4,
                        y - 6,
                        COLOURS[s % len(COLOURS)],
                    )
                else:
                    colour = COLOURS[s % len(COLOURS)]
                    yield format_html(
                        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="3" stroke-dasharray="{}"/>',
                        x,
                        x + 24,
                        y,
                        y,
                        colour,
                        DASHES[s % len(DASHES)] or "none",
                    )
                    yield _marker(MARKERS[s % len(MARKERS)], x + 12, y, colour, "")
                yield format_html('<text x="{}" y="{}" dominant-baseline="middle">{}</text>', x + 30, y, series.label)
                x += LEGEND_GAP + len(series.label) * CHAR_WIDTH


def _marker(shape: str, x: float, y: float, colour: str, title: SafeString | str) -> SafeString:
    if shape == "circle":
        return format_html('<circle cx="{}" cy="{}" r="5" fill="{}">{}</circle>', x, y, colour, title)
    if shape == "square":
        return format_html(
            '<rect x="{}" y="{}" width="10" height="10" fill="{}">{}</rect>', x - 5, y - 5, colour, title
        )
    if shape == "diamond":
        points = f"{x},{y - 6} {x + 6},{y} {x},{y + 6} {x - 6},{y}"
    else:
        points = f"{x},{y - 6} {x + 6},{y + 5} {x - 6},{y + 5}"
    return format_html('<polygon points="{}" fill="{}">{}</polygon>', points, colour, title)
