"""The provider approver's users pages, through HTTP: invitations, roles, deactivation and who may do what."""

import re
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from funding import services
from funding.models import User
from funding.roles import Role
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "a-long-new-passphrase-42"
LINK = re.compile(r"https?://\S+/portal/password-reset/\S+/\S+/")


def client_for(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def signs_in(email: str, password: str) -> bool:
    client = Client()
    response = client.post("/portal/sign-in/", {"username": email, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


def last_approver_message(organisation) -> str:
    return services.USER_LAST_APPROVER.format(organisation=organisation)


@pytest.fixture
def other_organisation_user(db):
    other = OrganisationFactory(name="Another provider (test)")
    return UserFactory(organisation=other, roles=[Role.PROVIDER_EDITOR], email="someone@other.example")


@pytest.fixture
def second_approver(provider):
    return UserFactory(organisation=provider, roles=[Role.PROVIDER_APPROVER], email="approver2@provider.example")


# Inviting


def test_an_invitation_creates_the_user_and_emails_a_link_that_sets_a_password(
    provider_client, provider, provider_approver, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = provider_client.post(
            "/portal/users/invite/",
            {
                "email": "new.person@provider.example",
                "first_name": "Nia",
                "last_name": "Okafor",
                "role": "Provider editor",
            },
        )
    assert response.status_code == 302
    assert response.url == "/portal/users/"

    invited = User.objects.get(email="new.person@provider.example")
    assert invited.organisation == provider
    assert invited.role_names == {Role.PROVIDER_EDITOR}
    assert invited.is_active and not invited.has_usable_password()

    listing = provider_client.get("/portal/users/").content.decode()
    assert "Nia Okafor" in listing
    assert "Invited, has not set a password yet" in listing
    assert "We have sent Nia Okafor an email at new.person@provider.example" in listing

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["new.person@provider.example"]
    assert "Chit Chat 4 U (test)" in email.body
    link = LINK.search(email.body).group(0)
    assert link.startswith(settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/portal/password-reset/")

    invitee = Client()
    response = invitee.get(urlparse(link).path)
    assert response.status_code == 302  # Django moves the token into the session before showing the form
    set_password_url = response.url
    response = invitee.get(set_password_url)
    assert response.status_code == 200
    assert "Set your password" in response.content.decode()
    response = invitee.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == "/portal/password-reset/done/"

    assert signs_in("new.person@provider.example", NEW_PASSWORD)
    invited.refresh_from_db()
    assert invited.has_usable_password()
    # The link works once.
    again = Client().get(urlparse(link).path, follow=True)
    assert "This link has expired" in again.content.decode()


def test_an_approver_can_be_invited(provider_client, provider, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        provider_client.post(
            "/portal/users/invite/",
            {"email": "boss@provider.example", "first_name": "Ada", "last_name": "Hughes", "role": "Provider approver"},
        )
    assert User.objects.get(email="boss@provider.example").role_names == {Role.PROVIDER_APPROVER}
    assert len(mailoutbox) == 1


def test_an_email_address_already_in_use_is_refused(
    provider_client, other_organisation_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = provider_client.post(
            "/portal/users/invite/",
            {"email": "Someone@Other.example", "first_name": "Sam", "last_name": "Else", "role": "Provider editor"},
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert services.USER_EMAIL_IN_USE in page
    assert 'href="#id_email"' in page
    assert User.objects.filter(email__iexact="someone@other.example").count() == 1
    assert other_organisation_user.organisation.name != "Chit Chat 4 U (test)"
    assert mailoutbox == []


def test_an_empty_invitation_says_what_to_enter(provider_client):
    response = provider_client.post("/portal/users/invite/", {})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("govuk-error-message") == 4
    for message in (
        "Enter their email address",
        "Enter their first name",
        "Enter their last name",
        "Select what the user can do",
    ):
        assert message in page
    assert 'href="#id_role_0"' in page
    assert "<title>Error: Invite a user" in page


def test_an_invitation_cannot_give_an_office_role(provider_client):
    response = provider_client.post(
        "/portal/users/invite/",
        {"email": "x@provider.example", "first_name": "X", "last_name": "Y", "role": "Commissioning officer"},
    )
    assert response.status_code == 200
    assert "Select editor or approver" in response.content.decode()
    assert not User.objects.filter(email="x@provider.example").exists()


# Who may see and change users


def member_urls(member) -> list[str]:
    return [
        f"/portal/users/{member.pk}/",
        f"/portal/users/{member.pk}/deactivate/",
        f"/portal/users/{member.pk}/reactivate/",
        f"/portal/users/{member.pk}/resend-invitation/",
    ]


def test_an_editor_cannot_see_or_change_users(provider_editor, provider_approver):
    client = client_for(provider_editor)
    for url in ["/portal/users/", "/portal/users/invite/", *member_urls(provider_approver)]:
        assert client.get(url).status_code in {403, 405}, url
        assert client.post(url, {"role": "Provider editor"}).status_code == 403, url
    response = client.post(
        "/portal/users/invite/",
        {"email": "sneaky@provider.example", "first_name": "S", "last_name": "N", "role": "Provider approver"},
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="sneaky@provider.example").exists()
    provider_approver.refresh_from_db()
    assert provider_approver.is_active
    assert provider_approver.role_names == {Role.PROVIDER_APPROVER}


def test_an_editor_gets_403_not_the_page_for_the_listing(provider_editor):
    # GET, not only POST: the listing itself is for approvers.
    assert client_for(provider_editor).get("/portal/users/").status_code == 403


def test_signed_out_people_are_sent_to_sign_in():
    response = Client().get("/portal/users/")
    assert response.status_code == 302
    assert response.url.startswith("/portal/sign-in/")


def test_office_users_are_sent_to_the_back_office(officer_client):
    response = officer_client.get("/portal/users/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/")


def test_another_organisations_user_is_not_found(provider_client, other_organisation_user):
    for url in member_urls(other_organisation_user):
        assert provider_client.get(url).status_code in {404, 405}, url
        assert provider_client.post(url, {"role": "Provider approver"}).status_code == 404, url
    assert provider_client.get(f"/portal/users/{other_organisation_user.pk}/").status_code == 404
    assert provider_client.get(f"/portal/users/{other_organisation_user.pk}/deactivate/").status_code == 404
    other_organisation_user.refresh_from_db()
    assert other_organisation_user.is_active
    assert other_organisation_user.role_names == {Role.PROVIDER_EDITOR}
    listing = provider_client.get("/portal/users/").content.decode()
    assert "someone@other.example" not in listing


def test_only_approvers_see_the_users_item_in_the_navigation(provider_client, provider_editor):
    # The password reset page uses the portal's base template and is open to anyone.
    assert 'href="/portal/users/"' in provider_client.get("/portal/password-reset/").content.decode()
    assert 'href="/portal/users/"' not in client_for(provider_editor).get("/portal/password-reset/").content.decode()
    listing = provider_client.get("/portal/users/").content.decode()
    assert 'href="/portal/users/" aria-current="page"' in listing


# Roles


def test_an_approver_changes_a_users_role(provider_client, provider_editor):
    page = provider_client.get(f"/portal/users/{provider_editor.pk}/").content.decode()
    assert "editor@provider.example" in page
    assert 'value="Provider editor" checked' in page

    response = provider_client.post(f"/portal/users/{provider_editor.pk}/", {"role": "Provider approver"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/portal/users/{provider_editor.pk}/"
    assert "is now an approver" in response.content.decode()
    assert User.objects.get(pk=provider_editor.pk).role_names == {Role.PROVIDER_APPROVER}

    provider_client.post(f"/portal/users/{provider_editor.pk}/", {"role": "Provider editor"})
    assert User.objects.get(pk=provider_editor.pk).role_names == {Role.PROVIDER_EDITOR}


def test_a_role_must_be_chosen(provider_client, provider_editor):
    response = provider_client.post(f"/portal/users/{provider_editor.pk}/", {})
    assert response.status_code == 200
    assert "Select what the user can do" in response.content.decode()
    assert User.objects.get(pk=provider_editor.pk).role_names == {Role.PROVIDER_EDITOR}


def test_the_last_approver_cannot_remove_their_own_approver_role(provider_client, provider, provider_approver):
    response = provider_client.post(f"/portal/users/{provider_approver.pk}/", {"role": "Provider editor"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert last_approver_message(provider) in page
    assert "You are the only approver for Chit Chat 4 U (test). Make someone else an approver first." in page
    assert 'href="#id_role_0"' in page  # the summary leads to the radios, where the message shows again
    assert page.count(last_approver_message(provider)) == 2
    assert User.objects.get(pk=provider_approver.pk).role_names == {Role.PROVIDER_APPROVER}


def test_the_last_approver_cannot_deactivate_themselves(provider_client, provider, provider_approver):
    confirm = provider_client.get(f"/portal/users/{provider_approver.pk}/deactivate/")
    assert "Are you sure you want to deactivate your account?" in confirm.content.decode()
    response = provider_client.post(f"/portal/users/{provider_approver.pk}/deactivate/")
    assert response.status_code == 200
    assert last_approver_message(provider) in response.content.decode()
    assert User.objects.get(pk=provider_approver.pk).is_active
    assert provider_client.get("/portal/users/").status_code == 200


def test_an_approver_can_step_down_once_another_approver_exists(provider_client, provider_approver, provider_editor):
    provider_client.post(f"/portal/users/{provider_editor.pk}/", {"role": "Provider approver"})
    response = provider_client.post(f"/portal/users/{provider_approver.pk}/", {"role": "Provider editor"})
    assert response.status_code == 302
    assert response.url == "/portal/"  # no longer an approver, so not back to the users pages
    assert User.objects.get(pk=provider_approver.pk).role_names == {Role.PROVIDER_EDITOR}
    assert provider_client.get("/portal/users/").status_code == 403


def test_an_approver_can_deactivate_themselves_once_another_approver_exists(
    provider_client, provider_approver, second_approver
):
    response = provider_client.post(f"/portal/users/{provider_approver.pk}/deactivate/")
    assert response.status_code == 302
    assert response.url == "/portal/sign-in/"
    assert not User.objects.get(pk=provider_approver.pk).is_active
    assert "_auth_user_id" not in provider_client.session
    assert not signs_in(provider_approver.email, PASSWORD)


def test_an_approver_who_lost_the_role_meanwhile_cannot_remove_the_other(provider, provider_approver, second_approver):
    """Two approvers each remove the other: the second to act is no longer an approver, so the organisation
    keeps one. The services read the actor's roles afresh under the lock, not from the request's cached copy."""
    first, second = client_for(provider_approver), client_for(second_approver)
    stale_second = User.objects.get(pk=second_approver.pk)
    assert stale_second.has_role(Role.PROVIDER_APPROVER)  # caches the roles, as a request in flight would

    assert first.post(f"/portal/users/{second_approver.pk}/", {"role": "Provider editor"}).status_code == 302
    with pytest.raises(services.PermissionDenied):
        services.user_change_roles(user=provider_approver, roles=[Role.PROVIDER_EDITOR], changed_by=stale_second)
    assert second.post(f"/portal/users/{provider_approver.pk}/", {"role": "Provider editor"}).status_code == 403
    assert User.objects.get(pk=provider_approver.pk).role_names == {Role.PROVIDER_APPROVER}


# Deactivating


def test_a_deactivated_user_cannot_sign_in_until_reactivated(provider_client, provider_editor):
    editor_session = client_for(provider_editor)
    assert signs_in(provider_editor.email, PASSWORD)

    response = provider_client.post(f"/portal/users/{provider_editor.pk}/deactivate/", follow=True)
    assert response.redirect_chain[-1][0] == "/portal/users/"
    page = response.content.decode()
    assert "is deactivated and can no longer sign in" in page
    assert "Deactivated" in page
    assert not User.objects.get(pk=provider_editor.pk).is_active

    assert not signs_in(provider_editor.email, PASSWORD)
    # A session already open ends too.
    response = editor_session.get("/portal/")
    assert response.status_code == 302
    assert response.url.startswith("/portal/sign-in/")

    response = provider_client.post(f"/portal/users/{provider_editor.pk}/reactivate/", follow=True)
    assert "is active again" in response.content.decode()
    assert signs_in(provider_editor.email, PASSWORD)


def test_reactivate_and_resend_only_answer_post(provider_client, provider_editor):
    assert provider_client.get(f"/portal/users/{provider_editor.pk}/reactivate/").status_code == 405
    assert provider_client.get(f"/portal/users/{provider_editor.pk}/resend-invitation/").status_code == 405


def test_a_new_invitation_can_be_sent_until_the_password_is_set(
    provider_client, provider, provider_approver, mailoutbox, django_capture_on_commit_callbacks
):
    invited = services.user_invite(
        organisation=provider,
        email="late@provider.example",
        first_name="Lee",
        last_name="Late",
        roles=[Role.PROVIDER_EDITOR],
        invited_by=provider_approver,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = provider_client.post(f"/portal/users/{invited.pk}/resend-invitation/", follow=True)
    assert "We have sent Lee Late a new link" in response.content.decode()
    assert len(mailoutbox) == 1
    assert LINK.search(mailoutbox[0].body)

    response = provider_client.post(f"/portal/users/{provider_approver.pk}/resend-invitation/", follow=True)
    assert "has already set a password" in response.content.decode()
    assert len(mailoutbox) == 1


# CSRF and query counts


def test_every_users_form_needs_its_csrf_token(provider_approver, provider_editor):
    client = client_for(provider_approver, enforce_csrf_checks=True)
    posts = [
        (
            "/portal/users/invite/",
            {"email": "c@provider.example", "first_name": "C", "last_name": "S", "role": "Provider editor"},
        ),
        (f"/portal/users/{provider_editor.pk}/", {"role": "Provider approver"}),
        (f"/portal/users/{provider_editor.pk}/deactivate/", {}),
        (f"/portal/users/{provider_editor.pk}/reactivate/", {}),
        (f"/portal/users/{provider_editor.pk}/resend-invitation/", {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    editor = User.objects.get(pk=provider_editor.pk)
    assert editor.is_active and editor.role_names == {Role.PROVIDER_EDITOR}
    assert not User.objects.filter(email="c@provider.example").exists()
    # The forms do carry the token.
    assert "csrfmiddlewaretoken" in client.get("/portal/users/invite/").content.decode()
    assert "csrfmiddlewaretoken" in client.get(f"/portal/users/{provider_editor.pk}/").content.decode()


def add_users(organisation, count: int) -> None:
    for n in range(count):
        role = Role.PROVIDER_APPROVER if n % 3 == 0 else Role.PROVIDER_EDITOR
        user = UserFactory(organisation=organisation, roles=[role], is_active=n % 4 != 1)
        if n % 5 == 2:
            user.set_unusable_password()
            user.save()


def users_page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/portal/users/")
    assert response.status_code == 200
    return len(queries)


def test_the_users_list_makes_the_same_number_of_queries_for_3_users_as_for_30(provider_client, provider):
    add_users(provider, 2)
    assert User.objects.filter(organisation=provider).count() == 3
    with_3 = users_page_queries(provider_client)
    add_users(provider, 27)
    assert User.objects.filter(organisation=provider).count() == 30
    with_30 = users_page_queries(provider_client)
    print(f"users list queries: {with_3} with 3 users, {with_30} with 30")
    assert with_3 == with_30
    page = provider_client.get("/portal/users/").content.decode()
    assert "30 users" in page


def test_a_deactivated_users_set_password_link_stops_working(provider_client, provider_editor):
    from programmes.notifications import set_password_link

    link = set_password_link(user=provider_editor).split("://", 1)[1].split("/", 1)[1]
    provider_client.post(f"/portal/users/{provider_editor.pk}/deactivate/")
    page = Client().get(f"/{link}", follow=True).content.decode()
    assert "This link has expired" in page
    assert "Set your password</h1>" not in page
