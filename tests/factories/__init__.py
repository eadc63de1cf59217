"""factory_boy factories for the domain. `funded_grant()` builds a grant that adds up and can be activated."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from funding.fiscal import FinancialYear
from funding.models import Allocation, Area, FundingStream, Organisation, User
from funding.money import gbp
from funding.roles import Role
from programmes.models import BudgetLine, Grant, GrantCharge, Indicator, Programme, Target


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Provider {n}")
    kind = Organisation.Kind.PROVIDER
    org_id = factory.Sequence(lambda n: f"GB-CHC-{1000000 + n}")
    postcode = "ST4 2RS"


class FunderFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Funder {n}")
    kind = Organisation.Kind.FUNDER
    org_id = factory.Sequence(lambda n: f"GB-GOVUK-funder-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=[str(role) for role in extracted]))
        self.save()


def office_user(*roles: Role, **kwargs) -> User:
    commissioner = OrganisationFactory(
        name="Office of the Commissioner", kind=Organisation.Kind.COMMISSIONER, org_id="GB-GOVUK-test-commissioner"
    )
    return UserFactory(organisation=commissioner, roles=roles, **kwargs)


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ["code"]

    name = "Stoke-on-Trent"
    code = "E06000021"
    geo_type = Area.GeoType.UA


class FundingStreamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingStream

    funder = factory.SubFactory(FunderFactory)
    name = factory.Sequence(lambda n: f"Stream {n}")
    slug = factory.Sequence(lambda n: f"stream-{n}")
    total = gbp("300000.00")
    purpose = "Reduce serious violence."
    start_date = datetime.date(2023, 4, 1)
    end_date = datetime.date(2026, 3, 31)


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allocation

    stream = factory.SubFactory(FundingStreamFactory)
    financial_year = 2023
    amount = gbp("100000.00")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")
    summary = "Support for children at the reachable moment."
    theme = "serious-violence"


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grant

    identifier = factory.Sequence(lambda n: f"360G-TEST-{n:05d}")
    title = factory.Sequence(lambda n: f"Grant {n}")
    provider = factory.SubFactory(OrganisationFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    amount = gbp("40000.00")
    award_date = datetime.date(2023, 3, 1)
    start_date = datetime.date(2023, 4, 1)
    end_date = datetime.date(2024, 3, 31)
    purpose = "Deliver the programme."
    crime_reduction_rationale = "Early support reduces re-offending."
    allocation_method = Grant.AllocationMethod.OPEN_CALL


class GrantChargeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GrantCharge

    grant = factory.SubFactory(GrantFactory)
    stream = factory.SubFactory(FundingStreamFactory)
    financial_year = 2023
    amount = gbp("40000.00")


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    grant = factory.SubFactory(GrantFactory)
    name = factory.Sequence(lambda n: f"Line {n}")
    category = BudgetLine.Category.STAFF
    cost_type = BudgetLine.CostType.LABOUR
    amount = gbp("40000.00")


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    name = factory.Sequence(lambda n: f"Children supported {n}")
    slug = factory.Sequence(lambda n: f"indicator-{n}")
    programme = factory.SubFactory(ProgrammeFactory)
    kind = Indicator.Kind.OUTPUT
    unit = Indicator.Unit.COUNT
    counts_people = True
    definition = "Children who took part in at least one session."


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    indicator = factory.SubFactory(IndicatorFactory)
    grant = factory.SubFactory(GrantFactory)
    financial_year = 2023
    value = Decimal("100")


def funded_grant(*, amount: str = "40000.00", year: int = 2023, allocation: str = "100000.00", **kwargs) -> Grant:
    """A one-year draft grant charged in full to a stream that has room for it, with one budget line."""
    fy = FinancialYear(year)
    stream = kwargs.pop("stream", None) or FundingStreamFactory(start_date=fy.start, end_date=fy.end)
    Allocation.objects.get_or_create(stream=stream, financial_year=year, defaults={"amount": gbp(allocation)})
    grant = GrantFactory(amount=gbp(amount), start_date=fy.start, end_date=fy.end, **kwargs)
    GrantChargeFactory(grant=grant, stream=stream, financial_year=year, amount=gbp(amount))
    BudgetLineFactory(grant=grant, amount=gbp(amount))
    return grant
