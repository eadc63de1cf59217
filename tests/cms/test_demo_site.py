"""`load_demo_site` builds the public site's tree and a page for every programme and stream, once."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.models import GroupPagePermission, Page

from cms.models import FooterLinks, FundingStreamPage, HomePage, NewsPage, ProgrammePage, StandardPage
from funding.roles import Role
from tests.cms.data import active_grant
from tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def test_the_demo_site_has_a_page_for_each_funded_programme_and_each_stream_and_builds_once(client, officer):
    funded = active_grant(
        officer=officer, programme=ProgrammeFactory(name="Navigator Programme", slug="navigator-programme")
    )
    ProgrammeFactory(name="Not yet funded")
    output = io.StringIO()
    call_command("load_demo_site", stdout=output)
    assert "added" in output.getvalue()

    assert list(ProgrammePage.objects.values_list("programme_id", flat=True)) == [funded.programme_id]
    assert FundingStreamPage.objects.get().stream_id == funded.charges.get().stream_id
    assert NewsPage.objects.count() == 2
    links = FooterLinks.objects.get()
    assert links.accessibility_page.title == "Accessibility statement"
    home = HomePage.objects.get()
    assert [child.slug for child in home.get_children().in_menu()] == ["programmes", "funding", "news", "about"]
    for page in Page.objects.live().exclude(depth=1):
        assert client.get(page.url).status_code == 200, page.url

    pages = Page.objects.count()
    call_command("load_demo_site", stdout=io.StringIO())
    assert Page.objects.count() == pages


def test_content_editors_may_edit_every_page_after_migrate(db):
    editors = Group.objects.get(name=Role.CONTENT_EDITOR)
    granted = GroupPagePermission.objects.filter(group=editors, page__depth=1)
    assert set(granted.values_list("permission__codename", flat=True)) == {"add_page", "change_page", "publish_page"}
    assert StandardPage.objects.count() == 0


def test_an_old_demo_statement_is_brought_up_to_date_unless_an_editor_changed_it(content_editor):
    call_command("load_demo_site", stdout=io.StringIO())
    statement = StandardPage.objects.get(slug="accessibility-statement")
    current = statement.body.raw_data[0]["value"]
    statement.body = [{"type": "text", "value": "<p>An older demo's statement.</p>"}]
    statement.save_revision().publish()  # as the loader wrote it: a revision by nobody

    call_command("load_demo_site", stdout=io.StringIO())
    statement.refresh_from_db()
    assert statement.body.raw_data[0]["value"] == current

    statement.body = [{"type": "text", "value": "<p>The office's own words.</p>"}]
    statement.save_revision(user=content_editor).publish(user=content_editor)
    call_command("load_demo_site", stdout=io.StringIO())
    statement.refresh_from_db()
    assert statement.body.raw_data[0]["value"] == "<p>The office's own words.</p>"
