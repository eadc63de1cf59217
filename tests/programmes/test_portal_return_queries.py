"""A return's pages make the same number of queries with 2 budget lines and indicators as with 20."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding.roles import Role
from tests.factories import OrganisationFactory, UserFactory
from tests.programmes.portal_returns import extra_lines, fill, navigator_return, submitted

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("evidence_storage")]
DRAFT_PAGES = ["return", "return_spend", "return_indicators", "return_narrative", "return_evidence", "return_check"]


def build(officer, *, size: int, submit: bool):
    """A provider with a return of `size` budget lines and `size` indicators, filled in, with `size` files."""
    approver = UserFactory(organisation=OrganisationFactory(), roles=[Role.PROVIDER_APPROVER])
    quarterly_return = navigator_return(
        provider=approver.organisation,
        officer=officer,
        lines=extra_lines(size),
        extra_indicators=size - 3 if size > 3 else 0,
    )
    (submitted if submit else fill)(quarterly_return, approver, files=size)
    client = Client()
    client.force_login(approver)
    return client, quarterly_return


def count(client, address) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", DRAFT_PAGES)
def test_a_draft_returns_pages_do_not_grow_with_its_size(officer, name):
    small = build(officer, size=2, submit=False)
    large = build(officer, size=20, submit=False)
    counts = [
        count(client, reverse(f"portal:{name}", args=[quarterly_return.pk]))
        for client, quarterly_return in (small, large)
    ]
    print(f"{name}: {counts[0]} queries with 2 lines and 3 indicators, {counts[1]} with 20 and 20")
    assert counts[0] == counts[1]


@pytest.mark.parametrize("name", ["portal:return_receipt", "reports:return_receipt_pdf"])
def test_the_receipt_does_not_grow_with_the_returns_size(officer, name):
    small = build(officer, size=2, submit=True)
    large = build(officer, size=20, submit=True)
    counts = [count(client, reverse(name, args=[quarterly_return.pk])) for client, quarterly_return in (small, large)]
    print(f"{name}: {counts[0]} queries small, {counts[1]} large")
    assert counts[0] == counts[1]
