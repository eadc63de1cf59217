"""The demo's per-quarter numbers, worked out from the quarter and the grant so every run gives the same ones.

Nothing here touches the database: the builder asks for a return's spend, forecasts, indicator figures and
narrative, and for the office's police, survey and Charter figures, and writes them through the services.
"""

import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from funding.fiscal import FinancialYear, Quarter
from programmes.demo import story

ONE = Decimal("1")


def rng(*parts) -> random.Random:
    """A generator seeded by the parts' text, so the same grant and quarter always draw the same numbers."""
    return random.Random("|".join(str(part) for part in parts))


def quarter_index(quarter: Quarter) -> int:
    return quarter.financial_year.start_year * 4 + quarter.number - 1


def quarter_from_key(sort_key: int) -> Quarter:
    year, number = divmod(sort_key, 10)
    return Quarter(FinancialYear(year), number)


def quarters_ago(quarter: Quarter, current: Quarter) -> int:
    return quarter_index(current) - quarter_index(quarter)


def whole(amount: Decimal) -> Decimal:
    return amount.quantize(ONE, rounding=ROUND_HALF_UP)


def split(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Share a count out by weight so the parts add up to the total exactly (largest remainders get the rest)."""
    weight_sum = sum(weights.values())
    exact = {name: Decimal(total * weight) / weight_sum for name, weight in weights.items()}
    parts = {name: int(value) for name, value in exact.items()}
    by_remainder = sorted(weights, key=lambda name: (exact[name] - parts[name], weights[name]), reverse=True)
    for name in by_remainder[: total - sum(parts.values())]:
        parts[name] += 1
    return parts


# --- A provider's return ------------------------------------------------------------------------------------


@dataclass
class Figure:
    """One indicator's figure in a return: a value, or a numerator and denominator for a percentage."""

    value: int | None = None
    numerator: int | None = None
    denominator: int | None = None
    breakdowns: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass
class SpendFigure:
    actual: Decimal
    forecasts: dict[int, Decimal]
    explanation: str = ""  # given only when the actual is more than 10% away from the profile


@dataclass
class ReturnFigures:
    spend: dict[str, SpendFigure]  # by budget line name
    indicators: dict[str, Figure]  # by indicator slug
    narrative: dict[str, str]


# The worked example of DOMAIN-EXAMPLES.md: the Navigator return for Q2 2024/25.
NAVIGATOR_EXAMPLE = (
    "360G-SSVRA-2023-NAV",
    20242,
    ReturnFigures(
        spend={
            "Caseworkers": SpendFigure(Decimal("38400"), {3: Decimal("38500"), 4: Decimal("38500")}),
            "Training": SpendFigure(Decimal("1150"), {3: Decimal("1000"), 4: Decimal("1000")}),
            "Travel": SpendFigure(
                Decimal("620"), {3: Decimal("500"), 4: Decimal("500")}, "More custody call-outs in Tamworth."
            ),
            "Management and overheads": SpendFigure(Decimal("4000"), {3: Decimal("4000"), 4: Decimal("4000")}),
        },
        indicators={
            "navigator-children-supported": Figure(61, breakdowns={story.AGE: {"10–13": 9, "14–15": 27, "16–17": 25}}),
            "navigator-engaged-48-hours": Figure(49),
            "navigator-completed-support": Figure(23),
            "navigator-reduced-risk": Figure(numerator=17, denominator=23),
        },
        narrative={
            "progress": "Referrals were above target: navigators met more children in custody than in any quarter "
            "so far, most of them within 48 hours.",
            "challenges": "A&E referrals slowed after a staffing change at the hospital.",
            "risks": "Recruitment of a second caseworker is behind schedule.",
            "risk_rating": "amber",
            "case_study": story.NARRATIVES[story.NAV]["case_study"][0],
            "next_quarter_plans": "Agree a referral route with the new A&E team and complete the recruitment.",
        },
    ),
)


def _programme_start(programme: str) -> Quarter:
    first = min(g.start_date for g in story.FIXED_GRANTS if g.programme == programme)
    return Quarter.from_date(first)


def indicator_figures(
    *, grant: story.GrantSpec, indicators: list[story.IndicatorSpec], quarter: Quarter
) -> dict[str, Figure]:
    figures: dict[str, Figure] = {}
    for spec in indicators:
        draw = rng(grant.identifier, quarter.sort_key, spec.slug)
        kind, *args = spec.pattern
        if kind == "schedule":
            given, base = args
            if quarter.sort_key in given:
                figures[spec.slug] = Figure(given[quarter.sort_key])
                continue
            kind, args = "flow", [base]
        if kind == "flow":
            # Within 15% either way of the base, scaled to the grant's size; whole numbers throughout.
            scaled = Decimal(args[0] * grant.figure_scale * draw.randint(85, 115)) / 10000
            figures[spec.slug] = Figure(int(whole(scaled)))
        elif kind == "cumulative":
            start, step, most = args
            running = start + step * quarters_ago(_programme_start(spec.programme), quarter)
            figures[spec.slug] = Figure(min(running, most))
        elif kind == "part":
            of, low, high = args
            whole_count = figures[of].value if of in figures else 0
            if not whole_count:
                continue
            part = int(whole(Decimal(whole_count * draw.randint(low, high)) / 100))
            if spec.unit == "percentage":
                figures[spec.slug] = Figure(numerator=part, denominator=whole_count)
            else:
                figures[spec.slug] = Figure(part)
        figure = figures.get(spec.slug)
        if figure and figure.value:
            figure.breakdowns = {dim: split(figure.value, weights) for dim, weights in spec.breakdowns.items()}
    return figures


def return_figures(
    *,
    grant: story.GrantSpec,
    quarter: Quarter,
    indicators: list[story.IndicatorSpec],
    profile: dict[tuple[str, int], Decimal],
    categories: dict[str, str],
) -> ReturnFigures:
    """Spend near the profile (now and then a line well over it, explained), forecasts at the profile, figures.

    `profile` maps (budget line name, quarter sort key) to the profiled amount; `categories` gives each line's
    category, which chooses the explanation of a variance.
    """
    identifier, sort_key, example = NAVIGATOR_EXAMPLE
    if (grant.identifier, quarter.sort_key) == (identifier, sort_key):
        return example
    draw = rng(grant.identifier, quarter.sort_key, "spend")
    remaining = quarter.remaining_in_year()
    spend = {}
    for name, category in categories.items():
        planned = profile.get((name, quarter.sort_key), Decimal("0"))
        # Now and then a line runs 12–22% over its profile; otherwise spend is 90–103% of it.
        over = draw.randint(1, 100) <= 12
        factor = Decimal(draw.randint(1120, 1220) if over else draw.randint(900, 1030)) / 1000
        forecasts = {q.number: profile[(name, q.sort_key)] for q in remaining if (name, q.sort_key) in profile}
        explanation = story.VARIANCE_EXPLANATIONS[category] if over and planned else ""
        spend[name] = SpendFigure(whole(planned * factor), forecasts, explanation)
    return ReturnFigures(
        spend, indicator_figures(grant=grant, indicators=indicators, quarter=quarter), narrative(grant, quarter)
    )


def narrative(grant: story.GrantSpec, quarter: Quarter) -> dict[str, str]:
    draw = rng(grant.identifier, quarter.sort_key, "narrative")
    bank = story.NARRATIVES[grant.programme]
    rating, risks = story.RISKS[draw.choices(range(len(story.RISKS)), weights=[30, 30, 17, 16, 7])[0]]
    return {
        "progress": draw.choice(bank["progress"]),
        "challenges": draw.choice(story.CHALLENGES),
        "risks": risks,
        "risk_rating": rating,
        "case_study": draw.choice(bank["case_study"]),
        "next_quarter_plans": draw.choice(story.PLANS),
    }


def send_back_reason(grant: story.GrantSpec, quarter: Quarter, figures: ReturnFigures) -> str:
    over = [name for name, line in figures.spend.items() if line.explanation]
    if over:
        return story.SEND_BACK_REASONS[0].format(line=over[0])
    return rng(grant.identifier, quarter.sort_key, "send back").choice(story.SEND_BACK_REASONS[1:])


def reopen_reason(grant: story.GrantSpec, quarter: Quarter) -> str:
    return rng(grant.identifier, quarter.sort_key, "reopen").choice(story.REOPEN_REASONS)


# --- The office's figures -----------------------------------------------------------------------------------


def parks_figure(quarter: Quarter) -> int:
    """Crimes and incidents in the parks in the 12 months to the quarter's end: the release's fall, then level, so
    that the live figure on the public site is the release's 38% below the baseline."""
    if quarter.sort_key in story.PARKS_FIGURES:
        return story.PARKS_FIGURES[quarter.sort_key]
    return story.PARKS_FIGURES[story.PARKS_RELEASE_QUARTER]


def signatories_figure(quarter: Quarter) -> int:
    """Charter signatories so far: the release's 37 in Q3 2023/24, then a few more each quarter."""
    if quarter.sort_key in story.SIGNATORY_FIGURES:
        return story.SIGNATORY_FIGURES[quarter.sort_key]
    last = max(story.SIGNATORY_FIGURES)
    return story.SIGNATORY_FIGURES[last] + 3 * (quarter_index(quarter) - quarter_index(quarter_from_key(last)))


def flow_target(*, spec: story.IndicatorSpec, grant: story.GrantSpec, quarters: int) -> int:
    """A yearly target of the base figure for each quarter the grant runs in the year."""
    kind, *args = spec.pattern
    base = args[-1] if kind == "schedule" else args[0]
    return int(whole(Decimal(base * grant.figure_scale * quarters) / 100))
