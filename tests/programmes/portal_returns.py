"""A Navigator grant and its Q2 2024/25 return, as DOMAIN-EXAMPLES.md describes it, for the portal's return tests."""

from decimal import Decimal

from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile

from funding.fiscal import FinancialYear
from funding.models import Allocation, Area
from funding.money import gbp
from programmes.models import BREAKDOWN_CATEGORIES, EvidenceFile, Indicator, QuarterlyReturn
from programmes.services import (
    evidence_add,
    grant_activate,
    return_record_indicator,
    return_record_spend,
    return_submit,
    return_update_narrative,
)
from tests.factories import (
    AreaFactory,
    BudgetLineFactory,
    FundingStreamFactory,
    GrantChargeFactory,
    GrantFactory,
    IndicatorFactory,
    ProgrammeFactory,
    TargetFactory,
)

YEAR = 2024
# Name, category, cost type, amount for the year: spread evenly, so Travel plans £500 a quarter.
NAVIGATOR_LINES = [
    ("Caseworkers", "staff", "labour", "160000.00"),
    ("Training", "training", "non-labour", "6000.00"),
    ("Travel", "travel", "non-labour", "2000.00"),
    ("Management and overheads", "overheads", "non-labour", "16000.00"),
]


def extra_lines(count: int) -> list[tuple[str, str, str, str]]:
    return [(f"Activity {n}", "activities", "non-labour", "1000.00") for n in range(count)]


def navigator_return(*, provider, officer, lines=None, extra_indicators: int = 0, quarter: int = 2) -> QuarterlyReturn:
    """An active one-year grant for 2024/25 with budget lines, three indicators (one broken down by age band,
    one a percentage, one by area) and a target, and its return for the given quarter."""
    lines = lines or NAVIGATOR_LINES
    fy = FinancialYear(YEAR)
    amount = gbp(sum(Decimal(line[3]) for line in lines))
    stream = FundingStreamFactory(start_date=fy.start, end_date=fy.end, total=amount)
    Allocation.objects.create(stream=stream, financial_year=YEAR, amount=amount)
    programme = ProgrammeFactory(name=f"Navigator {provider.pk}-{stream.pk}")
    grant = GrantFactory(
        provider=provider,
        programme=programme,
        amount=amount,
        start_date=fy.start,
        end_date=fy.end,
        lead_officer=officer,
    )
    grant.areas.set([AreaFactory(), AreaFactory(name="Tamworth", code="E07000199", geo_type=Area.GeoType.LAD)])
    grant.save()
    GrantChargeFactory(grant=grant, stream=stream, financial_year=YEAR, amount=amount)
    for name, category, cost_type, line_amount in lines:
        BudgetLineFactory(grant=grant, name=name, category=category, cost_type=cost_type, amount=gbp(line_amount))
    grant_activate(grant=grant, user=officer)
    referrals = IndicatorFactory(programme=programme, name="Referrals received", breakdown_by_age_band=True)
    IndicatorFactory(programme=programme, name="Children engaged within 48 hours", breakdown_by_area=True)
    IndicatorFactory(
        programme=programme,
        name="Reduced risk at exit",
        kind=Indicator.Kind.OUTCOME,
        unit=Indicator.Unit.PERCENTAGE,
        aggregation=Indicator.Aggregation.LATEST,
    )
    for n in range(extra_indicators):
        IndicatorFactory(programme=programme, name=f"Sessions delivered {n}", breakdown_by_sex=True)
    TargetFactory(indicator=referrals, grant=grant, financial_year=YEAR, value=Decimal(220))
    return grant.returns.get(financial_year=YEAR, quarter=quarter)


EXPLANATIONS = {"Travel": "More custody call-outs in Tamworth", "Training": "Two courses moved to Q3"}


def spend_data(quarterly_return: QuarterlyReturn, **overrides) -> dict:
    """The spend form filled in as the Navigator example: Travel £620 and Training £1,150, both explained."""
    actuals = {"Caseworkers": "38400", "Training": "1150", "Travel": "620", "Management and overheads": "4000"}
    data = {"version": quarterly_return.version}
    for line in quarterly_return.grant.budget_lines.order_by("pk"):
        prefix = f"line-{line.pk}"
        data[f"{prefix}-actual"] = actuals.get(line.name, str(line.amount.amount / 4))
        data[f"{prefix}-explanation"] = EXPLANATIONS.get(line.name, "")
        for number in range(quarterly_return.quarter + 1, 5):
            data[f"{prefix}-forecast-{number}"] = "500" if line.name == "Travel" else str(line.amount.amount / 4)
    data.update(overrides)
    return data


def indicator_data(quarterly_return: QuarterlyReturn, **overrides) -> dict:
    """Referrals 61 (10–13: 9, 14–15: 27, 16–17: 25), engaged 49, reduced risk 17 of 23; others 0."""
    data = {"version": quarterly_return.version}
    for indicator in Indicator.objects.filter(programme=quarterly_return.grant.programme):
        prefix = f"indicator-{indicator.pk}"
        if indicator.unit == Indicator.Unit.PERCENTAGE:
            data[f"{prefix}-numerator"], data[f"{prefix}-denominator"] = "17", "23"
        elif indicator.name == "Referrals received":
            data[f"{prefix}-value"] = "61"
            data.update({f"{prefix}-age_band-0": "9", f"{prefix}-age_band-1": "27", f"{prefix}-age_band-2": "25"})
        elif indicator.name.startswith("Children engaged"):
            data[f"{prefix}-value"] = "49"
        else:
            data[f"{prefix}-value"] = "0"
    data.update(overrides)
    return data


def narrative_data(quarterly_return: QuarterlyReturn, **overrides) -> dict:
    return {
        "version": quarterly_return.version,
        "progress": "61 referrals; 49 children engaged within 48 hours of the reachable moment.",
        "challenges": "A&E referrals slowed after a staffing change at the hospital.",
        "risks": "Recruitment of a second caseworker.",
        "risk_rating": "amber",
        "case_study": "A 15-year-old referred from custody re-engaged with school.",
        "next_quarter_plans": "Recruit the second caseworker; restart A&E referrals.",
        **overrides,
    }


def indicator_named(quarterly_return: QuarterlyReturn, name: str) -> Indicator:
    return Indicator.objects.get(programme=quarterly_return.grant.programme, name=name)


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def temporary_evidence_storage(monkeypatch, location) -> FileSystemStorage:
    """Evidence goes to a temporary private folder, never the project's own."""
    storage = FileSystemStorage(location=location)
    monkeypatch.setattr(EvidenceFile._meta.get_field("file"), "storage", storage)
    return storage


def fill(quarterly_return: QuarterlyReturn, user, *, files: int = 0) -> QuarterlyReturn:
    """Every section answered through the services, spend on plan; `files` small PDFs attached."""
    for line, planned, later in spend_plan(quarterly_return):
        return_record_spend(
            quarterly_return=quarterly_return, budget_line=line, actual=planned, user=user, forecasts=later
        )
    for indicator in Indicator.objects.filter(programme=quarterly_return.grant.programme):
        if indicator.unit == Indicator.Unit.PERCENTAGE:
            return_record_indicator(
                quarterly_return=quarterly_return, indicator=indicator, numerator=17, denominator=23, user=user
            )
            continue
        return_record_indicator(quarterly_return=quarterly_return, indicator=indicator, value=Decimal(12), user=user)
        for breakdown in indicator.breakdowns:
            categories = BREAKDOWN_CATEGORIES.get(breakdown) or [
                area.name for area in quarterly_return.grant.areas.all()
            ]
            return_record_indicator(
                quarterly_return=quarterly_return,
                indicator=indicator,
                value=Decimal(3),
                breakdown=breakdown,
                category=categories[0],
                user=user,
            )
    narrative = {k: v for k, v in narrative_data(quarterly_return).items() if k != "version"}
    return_update_narrative(quarterly_return=quarterly_return, user=user, **narrative)
    for n in range(files):
        evidence_add(quarterly_return=quarterly_return, upload=SimpleUploadedFile(f"register-{n}.pdf", PDF), user=user)
    quarterly_return.refresh_from_db()
    return quarterly_return


def spend_plan(quarterly_return: QuarterlyReturn):
    """Each budget line with its planned spend this quarter and its plan for the later quarters of the year."""
    for line in quarterly_return.grant.budget_lines.order_by("pk"):
        plan = {row.quarter: row.amount for row in line.profile.filter(financial_year=quarterly_return.financial_year)}
        later = {number: plan[number] for number in plan if number > quarterly_return.quarter}
        yield line, plan[quarterly_return.quarter], later


def submitted(quarterly_return: QuarterlyReturn, approver, **kwargs) -> QuarterlyReturn:
    fill(quarterly_return, approver, **kwargs)
    return return_submit(quarterly_return=quarterly_return, user=approver)
