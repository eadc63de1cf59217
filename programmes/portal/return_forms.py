"""The forms of a return's sections. One pattern for all: fields built from the return's sheet, one service call
to save, the return's version carried in a hidden field so a save over someone else's is refused, not applied."""

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from djmoney.money import Money

from funding.forms import FigureField
from funding.money import format_gbp
from programmes import services
from programmes.models import Indicator, QuarterlyReturn
from programmes.portal.forms import GovUKForm, MoneyField
from programmes.portal.return_selectors import ReturnSheet

NOT_GIVEN = "Not given"


def _figure(*, what: str, whole: bool = False, **kwargs) -> FigureField:
    """A number as a person types it ("1,250" or "12.5"), as a Decimal; `whole` for counts. The shared FigureField
    (funding/forms.py) names it in its messages ("Enter the figure for Referrals as a whole number")."""
    attrs = {"inputmode": "numeric" if whole else "decimal", "class": "govuk-input--width-5", "spellcheck": "false"}
    kwargs.setdefault("error_messages", {"required": f"Enter {what}"})
    return FigureField(what=what, whole=whole, widget=forms.TextInput(attrs), **kwargs)


@dataclass(frozen=True)
class Group:
    """Fields shown together under a legend, such as one budget line's or one indicator's."""

    id: str
    legend: str
    hint: str
    fields: list
    subgroups: list


@dataclass(frozen=True)
class Change:
    """A field where what is stored now differs from what this person typed."""

    label: str
    stored: str
    typed: str


def _display(field: forms.Field, value) -> str:
    if value in (None, ""):
        return NOT_GIVEN
    if isinstance(value, Money):
        return format_gbp(value)
    if isinstance(value, Decimal):
        return f"{value.normalize():,f}"
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value))
    return str(value)


def _same(stored, typed) -> bool:
    if stored in (None, "") or typed in (None, ""):
        return stored in (None, "") and typed in (None, "")
    if isinstance(stored, str):
        return stored.strip() == str(typed).strip()
    return stored == typed


class ReturnSectionForm(GovUKForm):
    """A section of a return. Subclasses add their fields, say what is stored for each, and save with one service.

    The service's errors come back keyed by the names the form gave its entries (its field names), so each is
    shown next to the field it is about.
    """

    versioned = True

    def __init__(self, *args, sheet: ReturnSheet, user, **kwargs):
        self.sheet, self.user = sheet, user
        self.quarterly_return: QuarterlyReturn = sheet.quarterly_return
        super().__init__(*args, **kwargs)
        if self.versioned:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput)
        self.groups: list[Group] = []
        self.add_fields()
        self.initial = {**self.stored(), "version": self.quarterly_return.version}

    def add_fields(self) -> None:
        """Add the section's fields (and the groups they are shown in)."""

    def stored(self) -> dict:
        """What is stored now for each field."""
        return {}

    def record(self, version: int | None) -> None:
        raise NotImplementedError

    def save(self) -> None:
        """Save through the section's service, which raises ValidationError (stale, locked, or a broken rule)."""
        self.record(self.cleaned_data.get("version"))

    def add_service_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for key, errors in error.error_dict.items():
                self.add_error(key if key in self.fields else None, errors)
        else:
            self.add_error(None, error)

    def refuse(self, message: str) -> None:
        """Refuse the whole form with one message (the return is locked, or changed since it was opened).

        Field errors are dropped: nothing typed is checked or saved, and the page may not even show the fields.
        """
        self.full_clean()
        self._errors.clear()
        self.cleaned_data = {}
        self.add_error(None, message)

    def changes_from(self, fresh: "ReturnSectionForm") -> list[Change]:
        """Where what `fresh` (built on the return as stored now) holds differs from what this person typed."""
        changes = []
        for name, field in self.fields.items():
            if name == "version" or name not in fresh.fields:
                continue
            stored, typed = fresh.initial.get(name), self.cleaned_data.get(name)
            if not _same(stored, typed):
                label = getattr(field, "full_label", field.label)
                changes.append(Change(label, _display(field, stored), _display(field, typed)))
        return changes

    def _add(self, name: str, field: forms.Field, full_label: str) -> str:
        field.full_label = full_label
        self.fields[name] = field
        return name


def _money(*, what: str, label: str) -> MoneyField:
    return MoneyField(what=what, label=label, error_messages={"required": f"Enter {what}"})


class SpendForm(ReturnSectionForm):
    def add_fields(self) -> None:
        period = self.quarterly_return.period
        for row in self.sheet.spend:
            line, prefix = row.budget_line.name, f"line-{row.budget_line.pk}"
            actual = self._add(
                f"{prefix}-actual",
                _money(what=f"the amount spent on {line} in {period}", label=f"Spent in {period}"),
                f"{line}: spent in {period}",
            )
            explanation = self._add(
                f"{prefix}-explanation",
                forms.CharField(
                    label="Reason for any difference of more than 10% from the plan",
                    help_text=f"Needed if spend is more than 10% above or below the {format_gbp(row.planned)} planned.",
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3}),
                ),
                f"{line}: reason for the difference from the plan",
            )
            forecasts = [
                self._add(
                    f"{prefix}-forecast-{forecast.quarter.number}",
                    _money(
                        what=f"the {forecast.quarter} forecast for {line}", label=f"Forecast for {forecast.quarter}"
                    ),
                    f"{line}: forecast for {forecast.quarter}",
                )
                for forecast in row.forecasts
            ]
            budget = format_gbp(row.budget_line.amount)
            hint = f"{format_gbp(row.planned)} planned for {period}, from a budget of {budget} for the line."
            fields = [self[actual], self[explanation], *[self[f] for f in forecasts]]
            self.groups.append(Group(prefix, line, hint, fields, []))

    def stored(self) -> dict:
        values = {}
        for row in self.sheet.spend:
            prefix = f"line-{row.budget_line.pk}"
            values[f"{prefix}-actual"] = row.spend.actual if row.spend else None
            values[f"{prefix}-explanation"] = row.spend.variance_explanation if row.spend else ""
            for forecast in row.forecasts:
                # A forecast not given yet starts from the plan, which most providers keep.
                values[f"{prefix}-forecast-{forecast.quarter.number}"] = forecast.stored or forecast.planned
        return values

    def record(self, version: int | None) -> None:
        data = self.cleaned_data
        entries = []
        for row in self.sheet.spend:
            prefix = f"line-{row.budget_line.pk}"
            entries.append(
                services.SpendEntry(
                    budget_line=row.budget_line,
                    actual=data[f"{prefix}-actual"],
                    forecasts={f.quarter.number: data[f"{prefix}-forecast-{f.quarter.number}"] for f in row.forecasts},
                    variance_explanation=data[f"{prefix}-explanation"],
                    key=f"{prefix}-explanation",
                )
            )
        services.return_record_spending(
            quarterly_return=self.quarterly_return, user=self.user, entries=entries, version=version
        )


class IndicatorsForm(ReturnSectionForm):
    def add_fields(self) -> None:
        period = self.quarterly_return.period
        year = period.financial_year
        # Each input names one part (value, numerator or denominator) of one figure: a total or a category.
        self.figures: list[tuple[str, Indicator, str, str, str]] = []  # name, indicator, part, breakdown, category
        self.stored_figures: dict[str, Decimal | None] = {}
        for row in self.sheet.indicators:
            indicator, prefix = row.indicator, f"indicator-{row.indicator.pk}"
            whole = indicator.unit == Indicator.Unit.COUNT
            totals = []
            if indicator.unit == Indicator.Unit.PERCENTAGE:
                for part, label, what in (
                    ("numerator", "Number who meet the measure", f"the number for {indicator.name}"),
                    ("denominator", "Out of", f"the total that {indicator.name} is out of"),
                ):
                    name = self._add(
                        f"{prefix}-{part}", _figure(what=what, label=label), f"{indicator.name}: {label.lower()}"
                    )
                    self.figures.append((name, indicator, part, "", ""))
                    self.stored_figures[name] = getattr(row.total, part) if row.total else None
                    totals.append(self[name])
            else:
                unit = {"money": " (£)", "hours": " (hours)"}.get(indicator.unit, "")
                name = self._add(
                    f"{prefix}-value",
                    _figure(what=f"the figure for {indicator.name}", whole=whole, label=f"{period}{unit}"),
                    f"{indicator.name} in {period}",
                )
                self.figures.append((name, indicator, "value", "", ""))
                self.stored_figures[name] = row.total.value if row.total else None
                totals.append(self[name])
            subgroups = []
            for breakdown in row.breakdowns:
                fields = []
                for number, (category, value) in enumerate(breakdown.categories):
                    what = f"the figure for {indicator.name}, {breakdown.label.lower()} {category}"
                    name = self._add(
                        f"{prefix}-{breakdown.breakdown}-{number}",
                        _figure(what=what, whole=whole, label=category, required=False),
                        f"{indicator.name}: {breakdown.label.lower()} {category}",
                    )
                    self.figures.append((name, indicator, "value", breakdown.breakdown, category))
                    self.stored_figures[name] = value.value if value else None
                    fields.append(self[name])
                subgroups.append(
                    Group(f"{prefix}-{breakdown.breakdown}", f"By {breakdown.label.lower()} (optional)", "", fields, [])
                )
            facts = [f"Target for {year}: {row.target_display}" if row.target is not None else "No target for the year"]
            if row.so_far:
                facts.append(f"so far this year: {row.so_far}")
            hint = f"{indicator.definition} {'; '.join(facts)}."
            self.groups.append(Group(prefix, indicator.name, hint, totals, subgroups))

    def stored(self) -> dict:
        return self.stored_figures

    def record(self, version: int | None) -> None:
        entries: dict[tuple, dict] = {}
        for name, indicator, part, breakdown, category in self.figures:
            number = self.cleaned_data.get(name)
            if number is None:
                continue
            entry = entries.setdefault((indicator.pk, breakdown, category), {"indicator": indicator, "key": name})
            entry.update({part: number, "breakdown": breakdown, "category": category})
        services.return_record_indicators(
            quarterly_return=self.quarterly_return,
            user=self.user,
            entries=[services.IndicatorEntry(**entry) for entry in entries.values()],
            version=version,
        )


class NarrativeForm(ReturnSectionForm):
    progress = forms.CharField(
        label="Progress this quarter",
        help_text="What you delivered against the plan, in a few paragraphs.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Describe the progress made this quarter"},
    )
    challenges = forms.CharField(
        label="Challenges (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    risks = forms.CharField(
        label="Risks to delivery",
        help_text="What could stop you delivering, and what you are doing about it.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Describe the risks to delivery"},
    )
    risk_rating = forms.ChoiceField(
        label="Overall risk rating",
        choices=QuarterlyReturn.Rag.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the overall risk rating: red, amber or green"},
    )
    case_study = forms.CharField(
        label="Anonymised case study (optional)",
        help_text="Do not include names, dates of birth, case references or anything else that identifies a person.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    next_quarter_plans = forms.CharField(
        label="Plans for next quarter",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Describe your plans for next quarter"},
    )

    def stored(self) -> dict:
        return {name: getattr(self.quarterly_return, name) for name in services.NARRATIVE_FIELDS}

    def record(self, version: int | None) -> None:
        narrative = {name: self.cleaned_data[name] for name in services.NARRATIVE_FIELDS}
        services.return_update_narrative(
            quarterly_return=self.quarterly_return, user=self.user, version=version, **narrative
        )


class EvidenceForm(ReturnSectionForm):
    # Files are only ever added or removed, each its own row, so one person's upload cannot overwrite another's.
    versioned = False

    file = forms.FileField(
        label="Upload a file",
        help_text="A PDF, PNG, JPEG, Word (.docx), Excel (.xlsx) or CSV file, up to 10 MB.",
        error_messages={"required": "Select a file to upload", "empty": "The selected file is empty"},
    )

    def add_service_error(self, error: ValidationError) -> None:
        self.add_error("file", error)

    def record(self, version: int | None) -> None:
        services.evidence_add(quarterly_return=self.quarterly_return, upload=self.cleaned_data["file"], user=self.user)


class SubmitForm(ReturnSectionForm):
    confirm = forms.BooleanField(
        label=(
            "I confirm that this return is accurate and complete, and that it contains no names, dates of birth "
            "or case references"
        ),
        error_messages={"required": "Confirm that the return is accurate and complete"},
    )

    def record(self, version: int | None) -> None:
        services.return_submit(quarterly_return=self.quarterly_return, user=self.user, version=version)
