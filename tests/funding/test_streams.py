import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from djmoney.money import Money

from funding.fiscal import FinancialYear
from funding.models import Allocation, FundingStream, Organisation
from funding.money import format_gbp, gbp
from funding.services import allocation_set, organisation_save, stream_save, stream_unallocated
from tests.factories import AllocationFactory, FunderFactory, FundingStreamFactory

pytestmark = pytest.mark.django_db


def test_allocations_within_the_total_are_saved_and_the_rest_is_shown_as_unallocated():
    stream = FundingStreamFactory(total=gbp("969600.00"))
    for year, amount in [(2023, "323200.00"), (2024, "323200.00")]:
        allocation_set(stream=stream, financial_year=FinancialYear(year), amount=gbp(amount))
    assert stream_unallocated(stream=stream) == gbp("323200.00")


def test_allocations_past_the_total_are_refused_naming_what_is_unallocated():
    stream = FundingStreamFactory(name="Serious Violence Duty", total=gbp("969600.00"))
    allocation_set(stream=stream, financial_year=FinancialYear(2023), amount=gbp("600000.00"))
    with pytest.raises(ValidationError) as refused:
        allocation_set(stream=stream, financial_year=FinancialYear(2024), amount=gbp("400000.00"))
    message = refused.value.messages[0]
    assert "Serious Violence Duty" in message
    assert "£30,400.00 more than its total of £969,600.00" in message
    assert Allocation.objects.filter(stream=stream).count() == 1


def test_changing_an_allocation_counts_its_new_amount_not_both():
    stream = FundingStreamFactory(total=gbp("100.00"))
    allocation_set(stream=stream, financial_year=FinancialYear(2023), amount=gbp("90.00"))
    allocation_set(stream=stream, financial_year=FinancialYear(2023), amount=gbp("100.00"))
    assert Allocation.objects.get(stream=stream).amount == gbp("100.00")


def test_stream_save_checks_unsaved_allocations_as_a_form_holds_them():
    stream = FundingStreamFactory.build(funder=FunderFactory(), total=gbp("1000.00"))
    stream.allocations.add(Allocation(financial_year=2023, amount=gbp("600.00")))
    stream.allocations.add(Allocation(financial_year=2024, amount=gbp("600.00")))
    with pytest.raises(ValidationError, match="not yet allocated"):
        stream_save(stream=stream)
    assert not FundingStream.objects.filter(name=stream.name).exists()


def test_an_allocation_outside_the_streams_dates_is_refused():
    stream = FundingStreamFactory(start_date=datetime.date(2023, 4, 1), end_date=datetime.date(2026, 3, 31))
    with pytest.raises(ValidationError, match="cannot have an allocation for 2026/27"):
        allocation_set(stream=stream, financial_year=FinancialYear(2026), amount=gbp("1.00"))


def test_the_database_refuses_a_second_allocation_for_the_same_year():
    allocation = AllocationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(stream=allocation.stream, financial_year=allocation.financial_year, amount=gbp(1))


def test_the_database_refuses_negative_money():
    stream = FundingStreamFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        FundingStream.objects.filter(pk=stream.pk).update(total=gbp("-1.00"))


def test_the_database_refuses_another_currency():
    stream = FundingStreamFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        FundingStream.objects.filter(pk=stream.pk).update(total_currency="EUR")


def test_validation_refuses_another_currency_before_the_database_does():
    stream = FundingStreamFactory.build(funder=FunderFactory(), total=Money("10.00", "EUR"))
    with pytest.raises(ValidationError):
        stream_save(stream=stream)


def test_money_is_never_built_from_a_float():
    with pytest.raises(TypeError):
        gbp(0.1)


def test_money_is_formatted_as_a_finance_officer_reads_it():
    assert format_gbp(gbp("1234567.891")) == "£1,234,567.89"
    assert format_gbp(gbp("-5")) == "-£5.00"


@pytest.mark.parametrize(
    ("org_id", "field", "message"),
    [
        ("GB-GOR-PB123", "org_id", "deprecated"),
        ("CHC-123", "org_id", "Enter an identifier"),
    ],
)
def test_organisation_identifiers_follow_360giving(org_id, field, message):
    organisation = Organisation(name="A body", kind="provider", org_id=org_id)
    with pytest.raises(ValidationError) as refused:
        organisation_save(organisation=organisation)
    assert message in str(refused.value.message_dict[field])


def test_organisation_postcodes_are_normalised_and_checked():
    organisation = organisation_save(
        organisation=Organisation(name="SCVYS", kind="provider", org_id="GB-CHC-1100000", postcode="st4 2rs")
    )
    assert organisation.postcode == "ST4 2RS"
    with pytest.raises(ValidationError, match="UK postcode"):
        organisation_save(organisation=Organisation(name="X", kind="provider", org_id="360G-x", postcode="12345"))
