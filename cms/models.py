"""The public site's pages. Editors write the story; the figures come live from approved data through
reports.public, read in each page's `get_context()`. No grant, payment or return state lives on a page.

The tree: Home → Programmes → programme pages; Home → Funding → funding stream pages; Home → News → news and
story pages; Home → standard pages (about, accessibility, privacy), which may nest.
"""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpResponse
from django.utils.feedgenerator import Rss201rev2Feed
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, PageChooserPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms import factsheet
from cms.blocks import BodyBlock, HeadlineFiguresBlock
from cms.cache import KeptFile, cached_response
from cms.choosers import programme_chooser, stream_chooser
from cms.figures import PageFigures
from cms.site import public_root_url
from funding.models import Area, FundingStream
from funding.money import format_gbp
from programmes.models import Indicator, Programme, Theme
from reports import public, suppression

PROGRAMME_HAS_PAGE = "{programme} already has a page: edit that one instead."
STREAM_HAS_PAGE = "{stream} already has a page: edit that one instead."
NEWS_PER_PAGE = 10


class PublicPage(Page):
    """What every public page has: an introduction, a body of blocks, sharing metadata and the page cache."""

    intro = models.TextField(blank=True, help_text="One or two sentences under the title, also used when shared.")
    body = StreamField(BodyBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        return cached_response(request, lambda: super(PublicPage, self).serve(request, *args, **kwargs))

    def get_url_parts(self, request=None):
        """Wagtail's, with the root URL of the site at SITE_URL written as SITE_URL (its scheme included), so the
        sitemap, the feed and canonical and sharing links carry the configured address."""
        parts = super().get_url_parts(request)
        if not parts or parts[1] is None:
            return parts
        site_id, root_url, page_path = parts
        return site_id, public_root_url(root_url), page_path

    @property
    def description(self) -> str:
        """For search engines and link previews: the editor's search description, else the introduction."""
        return self.search_description or self.intro

    def streams_with_figures(self):
        return [self.body]

    def figure_indicators(self) -> list[Indicator]:
        """Indicators the page's blocks show, so their figures are fetched together."""
        return [
            block.value["indicator"]
            for stream in self.streams_with_figures()
            for block in stream
            if block.block_type in ("live_figure", "chart") and block.value.get("indicator")
        ]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["figures"] = PageFigures(self.figure_indicators())
        context["small_count_text"] = suppression.small_count_text()
        context["small_count_limit"] = suppression.threshold() - 1
        return context


class HomePage(PublicPage):
    headline_figures = StreamField(
        HeadlineFiguresBlock(),
        blank=True,
        help_text="Up to six live figures at the top of the page: money invested, programmes, people reached, "
        "key outcomes.",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("headline_figures"),
        InlinePanel("featured_programmes", label="Featured programmes", max_num=6),
        FieldPanel("body"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.ProgrammeIndexPage", "cms.FundingStreamIndexPage", "cms.NewsIndexPage", "cms.StandardPage"]
    max_count = 1

    def streams_with_figures(self):
        return [self.headline_figures, self.body]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        featured = [item.page for item in self.featured_programmes.select_related("page__programme") if item.page.live]
        context["featured"] = featured
        context["latest_news"] = ArticlePage.latest(self, 3)
        return context


class HomeFeaturedProgramme(Orderable):
    home = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_programmes")
    page = models.ForeignKey("cms.ProgrammePage", on_delete=models.CASCADE, related_name="+")

    panels = [PageChooserPanel("page", "cms.ProgrammePage")]


class ProgrammeIndexPage(PublicPage):
    """Every programme page, filtered by theme, area and funding stream (GET parameters, no JavaScript)."""

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ProgrammePage"]
    max_count = 1

    def get_programmes(self, filters: dict[str, str]):
        """The live programme pages under this one that match the filters (theme, area code, stream slug)."""
        pages = ProgrammePage.objects.child_of(self).live().select_related("programme").order_by("title")
        if theme := filters.get("theme"):
            pages = pages.filter(programme__theme=theme)
        if area := filters.get("area"):
            pages = pages.filter(programme__areas__code=area)
        if stream := filters.get("stream"):
            pages = pages.filter(programme__grants__charges__stream__slug=stream)
        return pages.distinct()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        filters = {name: request.GET.get(name, "") for name in ("theme", "area", "stream")}
        pages = list(self.get_programmes(filters))
        rows = context["figures"].money_rows
        money = {page.pk: public.money_summary(rows, programme_id=page.programme_id) for page in pages}
        context.update(
            filters=filters,
            programme_pages=[(page, money[page.pk]) for page in pages],
            themes=Theme.choices,
            areas=Area.objects.filter(programmes__isnull=False).distinct().order_by("name"),
            streams=FundingStream.objects.filter(charges__isnull=False).distinct().order_by("name"),
            any_filter=any(filters.values()),
        )
        return context


class ProgrammePage(PublicPage):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="pages")

    content_panels = [
        *Page.content_panels,
        FieldPanel("programme", widget=programme_chooser.widget_class),
        FieldPanel("intro", help_text="Leave blank to use the programme's public summary."),
        FieldPanel("body", help_text="The programme's description and its stories in words and pictures."),
    ]
    parent_page_types = ["cms.ProgrammeIndexPage"]
    subpage_types = []

    def clean(self):
        super().clean()
        if self.programme_id and (
            ProgrammePage.objects.filter(programme_id=self.programme_id).exclude(pk=self.pk).exists()
        ):
            raise ValidationError({"programme": PROGRAMME_HAS_PAGE.format(programme=self.programme)})

    @property
    def description(self) -> str:
        return self.search_description or self.intro or self.programme.summary

    def get_context(self, request, *args, **kwargs):
        context = self.programme_context(request, *args, **kwargs)
        context["factsheet_url"] = factsheet.factsheet_url(page=self, request=request)
        return context

    def programme_context(self, request, *args, **kwargs) -> dict:
        """What the page shows, its figures read once; the factsheet prints the same (cms.factsheet)."""
        context = super().get_context(request, *args, **kwargs)
        figures: PageFigures = context["figures"]
        programme = self.programme
        indicators = list(programme.indicators.order_by("-kind", "name"))  # outputs first, then outcomes
        progress = public.indicator_progress_list(indicators)
        money = public.money_summary(figures.money_rows, programme_id=programme.pk)
        streams = public.programme_streams(figures.money_rows).get(programme.pk, set())
        context.update(
            programme=programme,
            money=money,
            money_chart=money.chart(title=f"{programme.name}: invested and spent by financial year"),
            outputs=[p for p in progress if p.indicator.kind == Indicator.Kind.OUTPUT],
            outcomes=[p for p in progress if p.indicator.kind == Indicator.Kind.OUTCOME],
            providers=public.programme_providers([programme.pk]).get(programme.pk, []),
            stream_pages=FundingStreamPage.objects.live().filter(stream_id__in=streams).order_by("title"),
            areas=list(programme.areas.all()),
            withdrawn=public.withdrawn_quarters(programme),
            revised=sorted({quarter: at for p in progress for quarter, at in p.revised.items()}.items()),
            stories=StoryPage.objects.live().filter(programme_page=self).order_by("-date")[:5],
        )
        return context

    def factsheet_pdf(self, request) -> KeptFile:
        """The page's factsheet PDF, kept in the public cache until the figures change (cms.factsheet)."""
        return factsheet.programme_factsheet(page=self, context=lambda: self.programme_context(request))


class FundingStreamIndexPage(PublicPage):
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.FundingStreamPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        rows = context["figures"].money_rows
        pages = FundingStreamPage.objects.child_of(self).live().select_related("stream__funder").order_by("title")
        context["stream_pages"] = [(page, public.money_summary(rows, stream=page.stream)) for page in pages]
        return context


class FundingStreamPage(PublicPage):
    stream = models.ForeignKey(FundingStream, on_delete=models.PROTECT, related_name="pages")

    content_panels = [
        *Page.content_panels,
        FieldPanel("stream", widget=stream_chooser.widget_class),
        FieldPanel("intro", help_text="Leave blank to use the stream's purpose."),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.FundingStreamIndexPage"]
    subpage_types = []

    def clean(self):
        super().clean()
        if self.stream_id and FundingStreamPage.objects.filter(stream_id=self.stream_id).exclude(pk=self.pk).exists():
            raise ValidationError({"stream": STREAM_HAS_PAGE.format(stream=self.stream)})

    @property
    def description(self) -> str:
        return self.search_description or self.intro or self.stream.purpose

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        rows = context["figures"].money_rows
        stream = FundingStream.objects.select_related("funder").get(pk=self.stream_id)
        money = public.money_summary(rows, stream=stream)
        funded = public.programmes_funded(rows, stream=stream)
        pages = {
            page.programme_id: page
            for page in ProgrammePage.objects.live().filter(programme_id__in=funded).select_related("programme")
        }
        programmes = Programme.objects.filter(pk__in=funded).order_by("name")
        context.update(
            stream=stream,
            stream_total=format_gbp(stream.total),
            money=money,
            money_chart=money.chart(title=f"{stream.name}: allocated, invested and spent by financial year"),
            funded=[(programme, pages.get(programme.pk), funded[programme.pk]) for programme in programmes],
        )
        return context


class NewsIndexPage(RoutablePageMixin, PublicPage):
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage", "cms.StoryPage"]
    max_count = 1

    def serve(self, request, *args, **kwargs):
        return cached_response(request, lambda: super(NewsIndexPage, self).serve(request, *args, **kwargs))

    def articles(self):
        return ArticlePage.latest(self)

    @path("")
    def listing(self, request):
        paginator = Paginator(self.articles(), NEWS_PER_PAGE)
        page_number = request.GET.get("page") or 1
        return self.render(request, context_overrides={"articles": paginator.get_page(page_number)})

    @path("feed/")
    def feed(self, request):
        """The latest news and stories as RSS 2.0."""
        feed = Rss201rev2Feed(
            title=f"{self.title}: Violence Reduction Alliance",
            link=self.get_full_url(request),
            description=self.intro or "News and stories from the Violence Reduction Alliance.",
            language="en-gb",
        )
        for article in self.articles()[:20]:
            feed.add_item(
                title=article.title,
                link=article.get_full_url(request),
                description=article.intro,
                pubdate=article.first_published_at,
                unique_id=article.get_full_url(request),
            )
        response = HttpResponse(content_type="application/rss+xml; charset=utf-8")
        feed.write(response, "utf-8")
        return response


class ArticlePage(PublicPage):
    """What news and story pages share; not created itself. Concrete, so news and stories list together in one
    query, ordered by date in the database."""

    date = models.DateField("date published")

    content_panels = [*Page.content_panels, FieldPanel("date"), FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types = []
    is_creatable = False

    @staticmethod
    def latest(ancestor: Page, count: int | None = None):
        """News and stories under a page, newest first, as their specific pages."""
        pages = ArticlePage.objects.live().descendant_of(ancestor).order_by("-date", "-pk").specific()
        return pages if count is None else pages[:count]


class NewsPage(ArticlePage):
    kind_label = "News"
    template = "cms/article_page.html"


class StoryPage(ArticlePage):
    kind_label = "Story"
    programme_page = models.ForeignKey(
        ProgrammePage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stories",
        help_text="The programme this story is about; it is listed on that programme's page.",
    )

    content_panels = [
        *ArticlePage.content_panels[:2],
        PageChooserPanel("programme_page", "cms.ProgrammePage"),
        *ArticlePage.content_panels[2:],
    ]
    template = "cms/article_page.html"


class StandardPage(PublicPage):
    """About the Alliance, the accessibility statement, privacy: words and blocks, nothing else."""

    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]


@register_setting(icon="link")
class FooterLinks(BaseSiteSetting):
    """Pages every public page links to in its footer."""

    accessibility_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    privacy_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    panels = [PageChooserPanel("accessibility_page"), PageChooserPanel("privacy_page")]

    class Meta:
        verbose_name = "footer links"
