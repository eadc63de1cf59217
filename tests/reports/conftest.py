import pytest

from tests.reports.estate import estate_build


@pytest.fixture
def estate(officer, finance_officer):
    return estate_build(officer, finance_officer)
