import pytest
from django.test import Client

from funding.roles import Role
from tests.factories import OrganisationFactory, UserFactory
from tests.programmes.portal_returns import navigator_return, temporary_evidence_storage


@pytest.fixture
def evidence_storage(tmp_path, monkeypatch):
    return temporary_evidence_storage(monkeypatch, tmp_path / "private-media")


@pytest.fixture
def navigator(provider, officer):
    """The Navigator grant's Q2 2024/25 return (tests/programmes/portal_returns.py)."""
    return navigator_return(provider=provider, officer=officer)


@pytest.fixture
def editor_client(provider_editor):
    client = Client()
    client.force_login(provider_editor)
    return client


@pytest.fixture
def outsider_client():
    """A provider approver of another organisation."""
    client = Client()
    client.force_login(UserFactory(organisation=OrganisationFactory(), roles=[Role.PROVIDER_APPROVER]))
    return client
