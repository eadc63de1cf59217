"""The form fields every form uses for what people type as numbers and dates: amounts of money, counts and other
figures, and dates. Each refuses what is malformed or out of range with a message naming what was asked for, before
any arithmetic: a value that passes fits the database column it is for, so nothing later can overflow on it.

- `AmountField`: pounds and pence, finite, not negative, within the money columns' `max_digits` and
  `decimal_places` (funding.fields.gbp_field); returns Money in GBP. The provider portal's money inputs and every
  back-office money field (through `GBPMoneyFormField`, registered in funding/wagtail_hooks.py) are this field.
- `FigureField`: a figure (hours, a percentage's parts, an indicator in pounds) or, with `whole=True`, a count;
  finite, not negative, within the figure columns' digits; returns a Decimal. `CountField` is the whole-number
  form that returns an int, for integer columns.
- `BoundedDateField`: a date between 1 January `FIRST_YEAR` and 31 December `LAST_YEAR`.

All numbers go through `number_parse`, the one rule. What a browser posts without a person typing it is checked too:
the ids of records ticked in a list (`RecordChoicesField`, `record_id_parse`) and the counts and ids of an inline
formset's rows (`BoundedChildFormSet`).
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT
from django.utils.functional import cached_property
from djmoney.forms.fields import MoneyField as DjMoneyFormField
from djmoney.money import Money
from modelcluster.forms import BaseChildFormSet

from funding.fields import GBP, MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS

# Dates people enter (awards, grant and stream dates, ledger payments, baselines) fall in these years.
FIRST_YEAR, LAST_YEAR = 2000, 2100
EARLIEST_DATE, LATEST_DATE = datetime.date(FIRST_YEAR, 1, 1), datetime.date(LAST_YEAR, 12, 31)

# What a person may type for a number once £, commas and spaces are taken out: ASCII digits with an optional minus
# sign and decimal point. Exponents ("1e309"), NaN, infinity, other scripts' digits and signs like "+" are refused
# before anything is computed, as is text longer than any number that fits.
NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
NUMBER_MAX_LENGTH = 100

MONEY_INVALID = "Enter {what} as an amount in pounds and pence, like 1250.50"
FIGURE_INVALID = "Enter {what} as a number, like 12.5"
COUNT_INVALID = "Enter {what} as a whole number, like 61"
NUMBER_NEGATIVE = "Enter {what} as 0 or more; it cannot be negative"
MONEY_TOO_BIG = "Enter {what} as an amount under £{limit:,}"
FIGURE_TOO_BIG = "Enter {what} as a number under {limit:,}"
MONEY_TOO_PRECISE = "Enter {what} in pounds and pence, with no more than {places} decimal places"
FIGURE_TOO_PRECISE = "Enter {what} with no more than {places} decimal places"
DATE_INVALID = "Enter {what} as a real date, like 31/03/2025"
DATE_OUT_OF_RANGE = "Enter {what} between 1 January {first} and 31 December {last}"


def number_parse(
    value,
    *,
    what: str,
    max_digits: int,
    decimal_places: int,
    money: bool = False,
    whole: bool = False,
) -> Decimal | None:
    """What a person typed as a number ("1,250.50", "£1250.5", "61"), as an exact Decimal; None if blank.

    Refused with a ValidationError naming `what`: anything but plain digits; a negative number; a number with more
    decimal places than the column keeps (any, if `whole`); a number with more digits than the column holds. The
    size is judged from the digits before any rounding, so that no arithmetic is done on a number that is too big.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if money:
        invalid, too_big, too_precise = MONEY_INVALID, MONEY_TOO_BIG, MONEY_TOO_PRECISE
    else:
        invalid, too_big, too_precise = (COUNT_INVALID if whole else FIGURE_INVALID), FIGURE_TOO_BIG, FIGURE_TOO_PRECISE
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, str):
        text = re.sub(r"[,\s£]" if money else r"[,\s]", "", value)
    else:
        raise ValidationError(invalid.format(what=what), code="invalid")
    if len(text) > NUMBER_MAX_LENGTH or not NUMBER.fullmatch(text):
        raise ValidationError(invalid.format(what=what), code="invalid")
    try:
        number = Decimal(text)
    except InvalidOperation:  # the pattern admits only what Decimal reads; kept in case it ever admits more
        raise ValidationError(invalid.format(what=what), code="invalid") from None
    if number < 0:
        raise ValidationError(NUMBER_NEGATIVE.format(what=what), code="min_value")
    whole_digits = max_digits - decimal_places
    if number and number.adjusted() >= whole_digits:
        raise ValidationError(too_big.format(what=what, limit=10**whole_digits), code="max_digits")
    places = 0 if whole else decimal_places
    # Safe now: the number has at most `whole_digits` digits before the point, well inside Decimal's precision.
    if number != number.quantize(Decimal(1).scaleb(-places)):
        if whole:
            raise ValidationError(invalid.format(what=what), code="invalid")
        raise ValidationError(too_precise.format(what=what, places=places), code="max_decimal_places")
    return number


def _what(what: str | None, label) -> str:
    """How messages name the value: as given, else from the field's label ("Amount" → "the amount")."""
    if what:
        return what
    return f"the {str(label).lower()}" if label else "a value"


class NumberField(forms.Field):
    """A number as a person types it; see `number_parse`. `what` names it in messages ("the amount spent on travel");
    without it the label does. `max_digits` and `decimal_places` are the column's."""

    money = False
    whole = False

    def __init__(
        self,
        *,
        what: str | None = None,
        max_digits: int = MONEY_MAX_DIGITS,
        decimal_places: int = MONEY_DECIMAL_PLACES,
        whole: bool | None = None,
        **kwargs,
    ):
        # Arguments a model field's formfield() passes for a DecimalField or IntegerField, which this field replaces.
        for unused in ("max_value", "min_value", "step_size", "localize"):
            kwargs.pop(unused, None)
        self.what, self.max_digits, self.decimal_places = what, max_digits, decimal_places
        if whole is not None:
            self.whole = whole
        super().__init__(**kwargs)
        if "required" not in (kwargs.get("error_messages") or {}):
            self.error_messages["required"] = f"Enter {self.described}"

    @property
    def described(self) -> str:
        return _what(self.what, self.label)

    def to_python(self, value):
        return number_parse(
            value,
            what=self.described,
            max_digits=self.max_digits,
            decimal_places=self.decimal_places,
            money=self.money,
            whole=self.whole,
        )

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.TextInput) and not isinstance(widget, forms.HiddenInput):
            attrs.setdefault("inputmode", "numeric" if self.whole else "decimal")
            attrs.setdefault("spellcheck", "false")
        return attrs


class AmountField(NumberField):
    """An amount in pounds and pence ("1,250.50" or "£1250.5"), returned as Money in GBP."""

    money = True

    def to_python(self, value):
        if isinstance(value, Money):
            value = value.amount
        amount = super().to_python(value)
        return None if amount is None else Money(amount, GBP)

    def prepare_value(self, value):
        if isinstance(value, Money):
            return f"{value.amount:.{self.decimal_places}f}"
        return value


class FigureField(NumberField):
    """A figure (12.5 hours, a percentage's parts) or, with `whole=True`, a count (61), returned as a Decimal."""


class CountField(NumberField):
    """A whole number of something (days, people), returned as an int, for integer columns. `max_digits` bounds it;
    an integer column's own range (`max_value`) bounds it too where smaller."""

    whole = True

    def __init__(self, *, max_digits: int = 9, max_value: int | None = None, **kwargs):
        super().__init__(max_digits=max_digits, decimal_places=0, **kwargs)
        self.max_value = max_value

    def to_python(self, value):
        number = super().to_python(value)
        if number is None:
            return None
        if self.max_value is not None and number > self.max_value:
            raise ValidationError(
                FIGURE_TOO_BIG.format(what=self.described, limit=self.max_value + 1), code="max_value"
            )
        return int(number)


class GBPMoneyFormField(DjMoneyFormField):
    """The back office's form field for a money column (djmoney's MoneyField): its amount is an `AmountField` bounded
    by the column's digits, and it is always in GBP whatever currency is posted."""

    def __init__(self, *args, what: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        amount = AmountField(
            what=_what(what, kwargs.get("label")),
            max_digits=kwargs.get("max_digits") or MONEY_MAX_DIGITS,
            decimal_places=kwargs.get("decimal_places") or MONEY_DECIMAL_PLACES,
            required=False,  # the multi-value field asks for the whole value
        )
        self.fields = (amount, self.fields[1])
        self.error_messages["required"] = f"Enter {amount.described}"

    def clean(self, value):
        if isinstance(value, list | tuple) and value:
            value = [value[0], GBP]  # the currency posted, if any, is never read
        return super().clean(value)

    def compress(self, data_list):
        return data_list[0] if data_list else None


class BoundedDateField(forms.DateField):
    """A date between `EARLIEST_DATE` and `LATEST_DATE`; a date outside them (year 1, 9999) is a typing mistake and
    would overflow the date arithmetic done on it (due dates, financial years)."""

    def __init__(self, *, what: str | None = None, **kwargs):
        self.what = what
        super().__init__(**kwargs)
        self.error_messages["invalid"] = DATE_INVALID.format(what=_what(what, self.label))

    def validate(self, value):
        super().validate(value)
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            what = _what(self.what, self.label)
            raise ValidationError(DATE_OUT_OF_RANGE.format(what=what, first=FIRST_YEAR, last=LAST_YEAR), code="range")


def date_in_range(date: datetime.date) -> bool:
    return EARLIEST_DATE <= date <= LATEST_DATE


# --- Records chosen by their id ------------------------------------------------------------------------------------

# The largest id a database column holds (a signed 64-bit integer): a larger one overflows the query itself.
RECORD_ID_MAX = 2**63 - 1
RECORD_ID = re.compile(r"[1-9]\d{0,18}", re.ASCII)


def record_id_parse(value) -> int | None:
    """A record's id as posted (a choice, a tick box), or None if it cannot be one: ASCII digits, 1 to the largest id
    a column holds. Checked before the id goes into a query, which a number too big for the column would break."""
    text = str(value).strip()
    if not RECORD_ID.fullmatch(text):
        return None
    number = int(text)
    return number if number <= RECORD_ID_MAX else None


class RecordChoicesField(forms.ModelMultipleChoiceField):
    """Records ticked in a list (a grant's areas): an id that cannot be one is refused as an invalid choice before
    it is looked up (Django looks them up with `pk__in`, which a number too big for the column breaks)."""

    def _check_values(self, value):
        key = self.to_field_name or "pk"
        if key == "pk":
            for pk in value:
                if record_id_parse(pk) is None:
                    raise ValidationError(
                        self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                    )
        return super()._check_values(value)


# --- Rows of an inline formset (a stream's allocations, a grant's charges and budget lines) ----------------------

MAX_INLINE_ROWS = 100
INLINE_ROWS_TOO_MANY = "Enter no more than {limit} {rows}"
INLINE_ROWS_CHANGED = (
    "The {rows} sent do not match the {rows} saved: someone may have changed them since this page was opened. Open "
    "the page again and make your changes there"
)


class BoundedChildFormSet(BaseChildFormSet):
    """An inline formset that believes the counts and ids a browser posts only when they fit what is saved.

    Django builds one form per row the posted count claims (up to 2,000), and takes the posted ids of the rows it
    thinks exist: a count of forty nines costs the server over a minute, and a row whose id is missing or wrong is
    saved as a copy of an existing one, which the database's unique constraints then refuse with an error page.
    Here a count above `MAX_INLINE_ROWS`, a negative one, a count of existing rows that is not the number saved, or
    an existing row whose id is not one of those saved (or is given twice) builds no rows and refuses the form,
    saying so.
    """

    def _rows_problem(self) -> str | None:
        if not self.is_bound or not self.management_form.is_valid():
            return None  # Django refuses a missing or damaged management form itself, building no rows
        counts = self.management_form.cleaned_data
        total, initial = counts[TOTAL_FORM_COUNT], counts[INITIAL_FORM_COUNT]
        rows = self.model._meta.verbose_name_plural
        if total > MAX_INLINE_ROWS:
            return INLINE_ROWS_TOO_MANY.format(limit=MAX_INLINE_ROWS, rows=rows)
        saved = {str(child.pk) for child in self.get_queryset() if child.pk is not None}
        if not 0 <= initial <= total or initial != len(saved):
            return INLINE_ROWS_CHANGED.format(rows=rows)
        pk_name = self.model._meta.pk.name
        posted = [self.data.get(f"{self.add_prefix(index)}-{pk_name}") for index in range(initial)]
        if set(posted) != saved:
            return INLINE_ROWS_CHANGED.format(rows=rows)
        return None

    @cached_property
    def rows_problem(self) -> str | None:
        return self._rows_problem()

    def total_form_count(self):
        return 0 if self.rows_problem else super().total_form_count()

    def initial_form_count(self):
        return 0 if self.rows_problem else super().initial_form_count()

    def full_clean(self):
        super().full_clean()
        if self.rows_problem:
            self._non_form_errors.append(self.rows_problem)
