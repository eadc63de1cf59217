import pytest
from django.test import Client

from funding.roles import Role
from tests.factories import OrganisationFactory, UserFactory, office_user


@pytest.fixture
def officer(db):
    return office_user(Role.COMMISSIONING_OFFICER, email="officer@example.org")


@pytest.fixture
def finance_officer(db):
    return office_user(Role.FINANCE_OFFICER, email="finance@example.org")


@pytest.fixture
def board_viewer(db):
    return office_user(Role.BOARD_VIEWER, email="board@example.org")


@pytest.fixture
def content_editor(db):
    return office_user(Role.CONTENT_EDITOR, email="content@example.org")


@pytest.fixture
def provider(db):
    return OrganisationFactory(name="Chit Chat 4 U (test)")


@pytest.fixture
def provider_editor(provider):
    return UserFactory(organisation=provider, roles=[Role.PROVIDER_EDITOR], email="editor@provider.example")


@pytest.fixture
def provider_approver(provider):
    return UserFactory(organisation=provider, roles=[Role.PROVIDER_APPROVER], email="approver@provider.example")


def _client_for(user):
    """Each role's client is its own, so a test can act as two people at once."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def officer_client(officer):
    return _client_for(officer)


@pytest.fixture
def finance_client(finance_officer):
    return _client_for(finance_officer)


@pytest.fixture
def board_client(board_viewer):
    return _client_for(board_viewer)


@pytest.fixture
def provider_client(provider_approver):
    return _client_for(provider_approver)
