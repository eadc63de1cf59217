"""Uniqueness that involves empty (NULL) columns holds on SQLite as well as PostgreSQL."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from programmes.models import IndicatorValue, Target
from tests.factories import IndicatorFactory, ProgrammeFactory, TargetFactory

pytestmark = pytest.mark.django_db


def test_a_programme_has_one_whole_year_target_per_indicator():
    programme = ProgrammeFactory()
    target = TargetFactory(grant=None, programme=programme, quarter=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(indicator=target.indicator, programme=programme, financial_year=2023, value=1)
    Target.objects.create(indicator=target.indicator, programme=programme, financial_year=2023, quarter=1, value=1)


def test_a_target_is_for_a_grant_or_a_programme_not_both():
    target = TargetFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.filter(pk=target.pk).update(programme=ProgrammeFactory())


def test_an_office_figure_is_entered_once_per_quarter():
    indicator = IndicatorFactory(programme=None, scope="population")
    fields = {"indicator": indicator, "source": "office", "financial_year": 2023, "quarter": 1, "value": Decimal(5)}
    IndicatorValue.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(**fields)
