"""Each page type: where it may go in the tree, creation by a content editor through the admin, and rendering
through HTTP. Only content editors may edit public pages."""

from django.test import Client
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from cms.models import (
    PROGRAMME_HAS_PAGE,
    FundingStreamIndexPage,
    FundingStreamPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    ProgrammeIndexPage,
    ProgrammePage,
    StandardPage,
    StoryPage,
)
from funding.roles import Role
from tests.cms.conftest import publish
from tests.factories import FundingStreamFactory, IndicatorFactory, ProgrammeFactory, office_user

NO_BLOCKS = streamfield([])


def form(**fields) -> dict:
    return nested_form_data({"intro": "", "body": NO_BLOCKS, **fields})


class PageTreeTests(WagtailPageTestCase):
    def test_the_tree_stays_sensible(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedSubpageTypes(
            HomePage, {ProgrammeIndexPage, FundingStreamIndexPage, NewsIndexPage, StandardPage}
        )
        self.assertAllowedSubpageTypes(ProgrammeIndexPage, {ProgrammePage})
        self.assertAllowedSubpageTypes(FundingStreamIndexPage, {FundingStreamPage})
        self.assertAllowedSubpageTypes(NewsIndexPage, {NewsPage, StoryPage})
        self.assertAllowedSubpageTypes(StandardPage, {StandardPage})
        for leaf in (ProgrammePage, FundingStreamPage, NewsPage, StoryPage):
            self.assertAllowedSubpageTypes(leaf, set())
        self.assertCanNotCreateAt(HomePage, ProgrammePage)
        self.assertCanNotCreateAt(NewsIndexPage, StandardPage)
        # There is one home page, made by the migrations.
        self.assertFalse(HomePage.can_create_at(Page.get_first_root_node()))


class EditorCreatesPagesTests(WagtailPageTestCase):
    def setUp(self):
        self.editor = office_user(Role.CONTENT_EDITOR, email="editor@example.org")
        self.client.force_login(self.editor)
        self.home = HomePage.objects.get()

    def create(self, parent, model, **fields):
        self.assertCanCreate(parent, model, form(**fields))
        page = model.objects.get(title=fields["title"])
        self.assertTrue(page.live)
        response = Client().get(page.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f"{fields['title']}</h1>", html=False)
        return page

    def test_a_content_editor_creates_and_publishes_every_page_type(self):
        programme = ProgrammeFactory(name="Navigator Programme", summary="Support at the reachable moment.")
        indicator = IndicatorFactory(programme=programme, name="Children supported")
        stream = FundingStreamFactory(name="Serious Violence Duty", purpose="Reduce serious violence.")

        programmes = self.create(self.home, ProgrammeIndexPage, title="Programmes")
        programme_page = self.create(
            programmes,
            ProgrammePage,
            title="Navigator",
            programme=programme.pk,
            body=streamfield(
                [
                    ("text", rich_text("<p>Navigators meet children in custody.</p>")),
                    ("quote", {"quote": "It changed my life.", "attribution": "A parent"}),
                    ("callout", {"heading": "Demo", "text": rich_text("<p>Illustrative.</p>")}),
                    (
                        "live_figure",
                        {
                            "indicator": indicator.pk,
                            "show": "latest",
                            "measure": "",
                            "stream": "",
                            "programme": "",
                            "label": "",
                        },
                    ),
                    ("chart", {"indicator": indicator.pk, "stream": "", "title": ""}),
                ]
            ),
        )
        self.assertContains(Client().get(programme_page.url), "Support at the reachable moment.")
        funding = self.create(self.home, FundingStreamIndexPage, title="Funding")
        stream_page = self.create(funding, FundingStreamPage, title="The Duty", stream=stream.pk)
        self.assertContains(Client().get(stream_page.url), "Reduce serious violence.")
        news = self.create(self.home, NewsIndexPage, title="News")
        self.create(news, NewsPage, title="A news item", date="2025-01-02")
        story = self.create(news, StoryPage, title="A story", date="2025-01-03", programme_page=programme_page.pk)
        self.assertContains(Client().get(story.url), 'href="/programmes/navigator/"')
        about = self.create(self.home, StandardPage, title="About the Alliance")
        self.create(about, StandardPage, title="Accessibility statement")

    def test_a_programme_has_one_page(self):
        programme = ProgrammeFactory(name="The Space")
        index = publish(self.home, ProgrammeIndexPage(title="Programmes", slug="programmes"))
        publish(index, ProgrammePage(title="The Space", slug="the-space", programme=programme))
        response = self.client.post(
            f"/admin/pages/add/cms/programmepage/{index.pk}/",
            form(title="The Space again", slug="the-space-again", programme=programme.pk, **{"action-publish": "1"}),
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn(PROGRAMME_HAS_PAGE.format(programme=programme), str(response.context["form"].errors))
        self.assertEqual(ProgrammePage.objects.count(), 1)


class OnlyContentEditorsEditPagesTests(WagtailPageTestCase):
    def test_office_roles_without_the_content_editor_role_cannot_add_or_edit_pages(self):
        home = HomePage.objects.get()
        for role in (Role.COMMISSIONING_OFFICER, Role.FINANCE_OFFICER, Role.BOARD_VIEWER):
            client = Client()
            client.force_login(office_user(role, email=f"{role.name.lower()}@example.org"))
            add = client.post(
                f"/admin/pages/add/cms/standardpage/{home.pk}/",
                form(title="Defaced", slug="defaced", **{"action-publish": "1"}),
            )
            self.assertNotEqual(add.status_code, 200, role)
            edit = client.get(f"/admin/pages/{home.pk}/edit/")
            self.assertNotEqual(edit.status_code, 200, role)
        self.assertFalse(StandardPage.objects.filter(slug="defaced").exists())

    def test_the_content_editor_can_edit_the_home_page(self):
        client = Client()
        client.force_login(office_user(Role.CONTENT_EDITOR, email="editor@example.org"))
        home = HomePage.objects.get()
        self.assertEqual(client.get(f"/admin/pages/{home.pk}/edit/").status_code, 200)


class ChoosersTests(WagtailPageTestCase):
    def test_a_content_editor_can_open_the_indicator_programme_and_stream_choosers(self):
        IndicatorFactory(name="Children supported")
        self.client.force_login(office_user(Role.CONTENT_EDITOR, email="editor@example.org"))
        for name in ("cms_indicator_chooser", "cms_programme_chooser", "cms_stream_chooser"):
            response = self.client.get(f"/admin/{name}/")
            self.assertEqual(response.status_code, 200, name)
        self.assertContains(self.client.get("/admin/cms_indicator_chooser/"), "Children supported")
