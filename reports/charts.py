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

A value of None is a gap: a suppressed figure when `Series.display` gives the text the table shows in its place
("fewer than 5", "not shown"), otherwise no figure at all. A gap is never drawn like zero (no bar, or a bar on the
axis): it is a column across the plot, hatched and labelled "suppressed" or outlined in dashes and labelled "no
figure", and the legend says what each means. A zero is a thin bar on the axis.

Categories such as "Q1 2024/25" are wrapped onto two lines and a repeated second line ("2024/25") is shown once;
when the labels would still run into each other, only every second (third…) category is labelled, so no two labels
ever overlap however many categories there are.
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
# The width of an average character, only to keep labels apart: Source Sans 3's is about 0.5em, but where it is not
# loaded (the Wagtail admin, PDFs) Arial or DejaVu Sans draws the text, up to 0.62em, so the estimate is theirs.
CHAR_EM = 0.62
CHAR_WIDTH = FONT_SIZE * CHAR_EM
LINE_HEIGHT = 18
LEGEND_GAP = 48  # the key, the space before its label and the space after it
LABEL_GAP = 8  # the least space between two category labels
SLANT = math.sqrt(0.5)  # sin and cos of 45°: labels that do not fit across are slanted
SLANTED_MAX_CHARS = 28  # a slanted label longer than this is cut short (the table beside has it whole)
GAP_FONT_SIZE = 13  # the word written up a gap's column
HATCH_STEP = 6
ZERO_BAR = 2  # a zero is drawn as a bar this high on the axis, so that it differs from a gap
MISSING = "No figure"
SUPPRESSED_MARK, MISSING_MARK = "suppressed", "no figure"  # written in a gap's column


def text_width(text: str, font_size: float = FONT_SIZE) -> float:
    """The estimated width of text: enough to keep labels apart, not to typeset."""
    return len(text) * font_size * CHAR_EM


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


def _shorten(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


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
        self.gaps = self._gap_points()
        self.legend = self._legend_rows()
        self.top = 12 + len(self.legend) * LINE_HEIGHT + (8 if self.legend else 0)
        self.slot = (WIDTH - self.left - 12) / max(len(chart.categories), 1)
        self.slanted = False
        self.category_lines = self._category_lines()
        self.height = HEIGHT
        if self.slanted:
            # The plot keeps the height two lines of labels leave it; the chart grows to hold the slanted ones.
            self.bottom = HEIGHT - 12 - 2 * LINE_HEIGHT
            longest = max(text_width(lines[0]) for lines in self.category_lines if lines)
            self.height = math.ceil(self.bottom + 14 + (longest + FONT_SIZE) * SLANT + 12)
        else:
            self.bottom = HEIGHT - 12 - max((len(lines) for lines in self.category_lines), default=1) * LINE_HEIGHT

    def y(self, value: Decimal) -> float:
        share = (value - self.low) / (self.high - self.low)
        return round(self.bottom - float(share) * (self.bottom - self.top), 1)

    def x(self, index: int) -> float:
        return round(self.left + self.slot * (index + 0.5), 1)

    def column(self, series_index: int, index: int) -> tuple[float, float]:
        """Left edge and width of a series' bar (or gap) in a category: the series side by side in the slot."""
        group = self.slot * 0.72
        width = group / len(self.chart.series)
        return round(self.x(index) - group / 2 + width * series_index + 1, 1), round(max(width - 2, 1), 1)

    def _gap_points(self) -> list[tuple[int, int, bool]]:
        """(series index, category index, suppressed) for every value that is None: suppressed when the series
        says what the table shows in its place (other than "No figure"), otherwise there is no figure."""
        return [
            (s, index, bool(index < len(series.display) and series.display[index] not in (None, "", MISSING)))
            for s, series in enumerate(self.chart.series)
            for index, value in enumerate(series.values)
            if value is None
        ]

    def _legend_rows(self) -> list[list[tuple[str, int, str]]]:
        """Legend entries (kind, series index, label), wrapped into rows across the chart. Kinds: "series",
        "target", and "suppressed" and "missing" when the chart has such gaps. A single series with nothing else
        to tell apart needs no legend."""
        entries = [("series", s, series.label) for s, series in enumerate(self.chart.series)]
        if self.chart.target:
            entries.append(("target", -1, self.chart.target.label))
        suppressed = list(
            dict.fromkeys(self.chart.series[s].display[index] for s, index, hidden in self.gaps if hidden)
        )
        if suppressed:
            entries.append(("suppressed", -1, f"Suppressed ({' or '.join(suppressed)})"))
        if any(not hidden for _, _, hidden in self.gaps):
            entries.append(("missing", -1, MISSING))
        if len(entries) < 2:
            return []
        rows: list[list[tuple[str, int, str]]] = [[]]
        used = 0.0
        for entry in entries:
            width = LEGEND_GAP + text_width(entry[2])
            if rows[-1] and used + width > WIDTH - 24:
                rows.append([])
                used = 0.0
            rows[-1].append(entry)
            used += width
        return rows

    def _category_lines(self) -> list[list[str]]:
        """Each category's label lines, laid out so that no two labels overlap, in this order of preference:

        - across, wrapped onto up to three lines, a line repeated from the label before (the year under "Q2") left
          blank;
        - slanted at 45°, one line each, when the slots are wide enough for slanted lines to clear each other
          (names such as "Newcastle-under-Lyme" that no slot can hold across); the plot moves right as far as the
          first label needs;
        - across again, but only every so many categories labelled: the fewest skipped that keeps every label at
          least LABEL_GAP from the next on each of its lines (many quarters).
        """
        count = len(self.chart.categories)
        lines = self._labels_every(1)
        if self._labels_fit(lines):
            return lines
        if self.slot * SLANT >= FONT_SIZE + LABEL_GAP / 2:
            left, slot = self.left, self.slot
            slanted = [[_shorten(category, SLANTED_MAX_CHARS)] for category in self.chart.categories]
            for _ in range(3):  # moving the plot right narrows the slots, which can ask for a little more room
                room = max(
                    (text_width(label[0]) + FONT_SIZE) * SLANT - self.slot * (index + 0.5)
                    for index, label in enumerate(slanted)
                )
                self.left = max(self.left, room)
                self.slot = (WIDTH - self.left - 12) / count
            if self.slot * SLANT >= FONT_SIZE + LABEL_GAP / 2:
                self.slanted = True
                return slanted
            self.left, self.slot = left, slot
        for every in range(2, count + 1):
            lines = self._labels_every(every)
            if self._labels_fit(lines):
                return lines
        return lines

    def _labels_every(self, every: int) -> list[list[str]]:
        width = self.slot * every - LABEL_GAP
        result, previous = [], []
        for index, category in enumerate(self.chart.categories):
            if index % every:
                result.append([])
                continue
            lines = _wrap(category, width)
            result.append(
                [line if n == 0 or n >= len(previous) or previous[n] != line else "" for n, line in enumerate(lines)]
            )
            previous = lines
        return result

    def label_x(self, index: int, line: str) -> float:
        """A label's centre: under its category, moved in only as far as keeps it inside the chart."""
        half = text_width(line) / 2
        return round(min(max(self.x(index), half + 2), WIDTH - half - 2), 1)

    def _labels_fit(self, lines: list[list[str]]) -> bool:
        for n in range(max((len(label) for label in lines), default=0)):
            placed = [
                (self.label_x(index, label[n]), text_width(label[n]))
                for index, label in enumerate(lines)
                if n < len(label) and label[n]
            ]
            for (x1, w1), (x2, w2) in zip(placed, placed[1:], strict=False):
                if x2 - x1 < (w1 + w2) / 2 + LABEL_GAP:
                    return False
        return True

    def render(self) -> SafeString:
        chart = self.chart
        parts = [
            format_html(
                '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
                'aria-labelledby="{id}-title {id}-desc" font-family="{font}" font-size="{size}" fill="{text}" '
                'style="display:block;width:100%;height:auto;max-width:{w}px">',
                w=WIDTH,
                h=self.height,
                id=chart.id,
                font=FONT,
                size=FONT_SIZE,
                text=TEXT,
            ),
            format_html('<title id="{}-title">{}</title>', chart.id, chart.title),
            format_html('<desc id="{}-desc">{}</desc>', chart.id, chart.summary),
            *self._grid(),
            *self._gaps(),
            *(self._bars() if chart.kind == "bar" else self._lines()),
            *self._target(),
            *self._gap_labels(),
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
            if self.slanted:
                # Ends under its category and runs down to the left: rotated about its end.
                x, y = self.x(index), round(self.bottom + 14, 1)
                yield format_html(
                    '<text x="{x}" y="{y}" transform="rotate(-45 {x} {y})" text-anchor="end" '
                    'dominant-baseline="middle">{line}</text>',
                    x=x,
                    y=y,
                    line=lines[0],
                )
                continue
            for n, line in enumerate(lines):
                if line:
                    yield format_html(
                        '<text x="{}" y="{}" text-anchor="middle">{}</text>',
                        self.label_x(index, line),
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

    def _gaps(self):
        """A column from the axis to the top of the plot where a value is missing: hatched for a suppressed
        figure, outlined in dashes for no figure."""
        for s, index, suppressed in self.gaps:
            x, width = self.column(s, index)
            title = self._point_title(self.chart.series[s], index)
            kind = "suppressed" if suppressed else "missing"
            yield from _gap_key(kind, x, self.top, width, self.bottom - self.top, title)

    def _gap_labels(self):
        """The word written up each gap's column where it fits, on white, over the target line if it crosses."""
        for s, index, suppressed in self.gaps:
            x, width = self.column(s, index)
            mark = SUPPRESSED_MARK if suppressed else MISSING_MARK
            length = text_width(mark, GAP_FONT_SIZE)
            if width < GAP_FONT_SIZE + 4 or self.bottom - self.top < length + 12:
                continue
            cx, cy = round(x + width / 2, 1), round((self.top + self.bottom) / 2, 1)
            yield format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="#ffffff"/>',
                round(cx - GAP_FONT_SIZE / 2 - 1, 1),
                round(cy - length / 2 - 4, 1),
                GAP_FONT_SIZE + 2,
                round(length + 8, 1),
            )
            yield format_html(
                '<text x="{x}" y="{y}" transform="rotate(-90 {x} {y})" text-anchor="middle" '
                'dominant-baseline="central" font-size="{size}">{mark}</text>',
                x=cx,
                y=cy,
                size=GAP_FONT_SIZE,
                mark=mark,
            )

    def _bars(self):
        zero = self.y(Decimal(0))
        for s, series in enumerate(self.chart.series):
            colour = COLOURS[s % len(COLOURS)]
            for index, value in enumerate(series.values):
                if value is None:
                    continue  # drawn by _gaps
                x, width = self.column(s, index)
                height = abs(self.y(value) - zero)
                top = min(zero, self.y(value))
                if height < ZERO_BAR:  # a zero (or next to it) still shows as a figure on the axis
                    top, height = (zero - ZERO_BAR if value >= 0 else zero), ZERO_BAR
                yield format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">{}</rect>',
                    x,
                    round(top, 1),
                    width,
                    round(height, 1),
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
            for kind, s, label in row:
                if kind == "target":
                    yield format_html(
                        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="2" stroke-dasharray="6 4"/>',
                        x,
                        x + 24,
                        y,
                        y,
                        TARGET,
                    )
                elif kind in ("suppressed", "missing"):
                    yield from _gap_key(kind, x + 4, y - 7, 16, 14, "")
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
                yield format_html('<text x="{}" y="{}" dominant-baseline="middle">{}</text>', x + 30, y, label)
                x += LEGEND_GAP + text_width(label)


def _hatch(x: float, y: float, width: float, height: float) -> str:
    """Diagonal lines (rising to the right) filling a rectangle, as one path: drawn rather than an SVG pattern, so
    they look the same wherever the chart goes (browsers, the admin, WeasyPrint's PDFs)."""
    segments = []
    offset = -height
    while offset < width:
        # The line u = t + offset, with u across from the left and t up from the bottom, cut to the rectangle.
        start, end = max(0.0, -offset), min(height, width - offset)
        if end > start:
            segments.append(
                f"M{round(x + start + offset, 1)} {round(y + height - start, 1)}"
                f"L{round(x + end + offset, 1)} {round(y + height - end, 1)}"
            )
        offset += HATCH_STEP
    return "".join(segments)


def _gap_key(kind: str, x: float, y: float, width: float, height: float, title: SafeString | str):
    """A gap's mark, in the plot or as its legend key: hatched and outlined when suppressed, outlined in dashes
    when there is no figure. `data-gap` names the kind for tests and scripts (the drawing uses no classes)."""
    if kind == "suppressed":
        yield format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="#ffffff" stroke="{}" stroke-width="1" '
            'data-gap="suppressed">{}</rect>',
            x,
            round(y, 1),
            width,
            round(height, 1),
            AXIS,
            title,
        )
        yield format_html('<path d="{}" stroke="{}" stroke-width="1" fill="none"/>', _hatch(x, y, width, height), AXIS)
    else:
        yield format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="#ffffff" stroke="{}" stroke-width="1.5" '
            'stroke-dasharray="4 3" data-gap="missing">{}</rect>',
            x,
            round(y, 1),
            width,
            round(height, 1),
            AXIS,
            title,
        )


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
