"""The demo public site: the page tree and the pages for the press releases' programmes and streams.

Pages are found by their slug under their parent and only missing ones are written, so this runs on every
`make run` after `load_demo_data` and leaves alone whatever an editor has changed (the about pages, such as the
accessibility statement, are brought up to this version's words while no editor has touched them). Every programme
with an agreed grant or an approved figure gets its page. The words are from the two press releases (quotes as
released) or written for the demo; the figures on every page are live.
"""

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from wagtail.models import Page, Site

from cms.models import (
    FooterLinks,
    FundingStreamIndexPage,
    FundingStreamPage,
    HomeFeaturedProgramme,
    HomePage,
    NewsIndexPage,
    NewsPage,
    ProgrammeIndexPage,
    ProgrammePage,
    StandardPage,
    StoryPage,
)
from cms.site import site_address, site_sync
from funding.models import FundingStream
from programmes.demo import story
from programmes.models import Grant, Indicator, IndicatorValue, Programme

D = datetime.date


def _text(*paragraphs: str) -> dict:
    return {"type": "text", "value": "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)}


def _quote(quote: str, attribution: str) -> dict:
    return {"type": "quote", "value": {"quote": quote, "attribution": attribution}}


def _callout(heading: str, text: str) -> dict:
    return {"type": "callout", "value": {"heading": heading, "text": f"<p>{text}</p>"}}


def _indicator_figure(slug: str, show: str = "latest", label: str = "") -> dict | None:
    indicator = Indicator.objects.filter(slug=slug).values_list("pk", flat=True).first()
    if indicator is None:
        return None  # the demo data is not loaded: the page goes without this figure
    return {"type": "live_figure", "value": {"indicator": indicator, "show": show, "label": label}}


def _money_figure(measure: str, label: str = "") -> dict:
    return {"type": "live_figure", "value": {"measure": measure, "label": label}}


def _chart(slug: str) -> dict | None:
    indicator = Indicator.objects.filter(slug=slug).values_list("pk", flat=True).first()
    return {"type": "chart", "value": {"indicator": indicator, "title": ""}} if indicator else None


BEN_ADAMS = "Ben Adams, Staffordshire Commissioner for Police, Fire & Rescue and Crime and Chair of the VRA"
CHRIS_NOBLE = "Chris Noble, Chief Constable, Staffordshire Police"
DEMO = "This is demo data: figures the press releases do not give are illustrative."


def programme_stories() -> dict[str, list]:
    return {
        story.NAV: [
            _text(
                "Navigators are youth workers who meet children at the reachable moment: in police custody after an "
                "arrest, or in A&amp;E after being hurt by violence. They offer support there and then, and stay with "
                "the child and their family for as long as it takes to step away from exploitation and violence.",
                DEMO,
            ),
            _indicator_figure("navigator-children-supported", label="Children supported"),
        ],
        story.PARKS: [
            _text(
                "Police patrols, cut-back hedges, new lighting, CCTV and alley gates, and online child exploitation "
                "training for park staff have made Stoke-on-Trent's hotspot parks safer and helped them feel safer.",
                "Police data show a 38% fall in crimes and incidents reported in the parks since the initiatives began "
                "in 2021.",
            ),
            _quote(
                "By taking a coordinated partnership approach to improving our open spaces, we have not only helped to "
                "increase our communities' safety, but ensured they have access to spaces to allow them to live "
                "healthy and fulfilling lives.",
                BEN_ADAMS,
            ),
        ],
        story.SPACE: [
            _text(
                "The Space brought public, voluntary and private organisations together to run fun, positive summer "
                "activities for vulnerable young people in Stoke-on-Trent, until 1 September 2023.",
                DEMO,
            )
        ],
        story.BLEED: [
            _text(
                "Stoke-on-Trent community group Chit Chat 4 U fundraised for six lifesaving bleed control kits and "
                "completed knife sweeps across the city. Kits have also been added to 200 Staffordshire Police cars in "
                "a project jointly funded with the Commissioner.",
            )
        ],
        story.CHARTER: [
            _text(
                "Organisations and businesses across Staffordshire and Stoke-on-Trent sign the Safer Places for Women "
                "and Girls Charter to show they take a proactive approach to improving the safety of women and girls. "
                "37 had signed by the time of the VRA conference.",
            )
        ],
    }


def news_items() -> list[tuple]:
    return [
        (
            "parks-crime-falls-38-percent",
            "Crimes and incidents in Stoke-on-Trent parks down 38%",
            D(2023, 7, 20),
            "Police data show a 38% fall in crimes and incidents reported in Stoke-on-Trent parks since the VRA's "
            "initiatives began in 2021.",
            [
                _text(
                    "The initiatives followed an increase in reports and a 2021 survey in which 67% of women and girls "
                    "who responded had experienced harassment, intimidation or violence in a public place.",
                    "Partners including Stoke-on-Trent City Council and Staffordshire Police's Violence Reduction Team "
                    "led enhanced patrols, cut back overgrown hedges, trained park staff on child exploitation, "
                    "and added lighting, CCTV and alley gating.",
                ),
                _quote(
                    "Protecting people from harm is a top priority in my Police & Crime Plan, which is why I am "
                    "pleased to see a reduction in the numbers of crimes and incidents reported in Stoke-on-Trent "
                    "parks since the start of these initiatives.",
                    BEN_ADAMS,
                ),
                _chart(story.PARKS_CRIMES),
                _quote(
                    "These figures are certainly encouraging and we are pleased to see these initiatives have had a "
                    "positive impact on crime rates in the area so far.",
                    CHRIS_NOBLE,
                ),
            ],
        ),
        (
            "ready-for-the-serious-violence-duty",
            "The VRA is ready to deliver the Serious Violence Duty",
            D(2023, 11, 30),
            "Over the next three years the Alliance will receive almost £970,000 through the Serious Violence Duty.",
            [
                _text(
                    "At its conference the Alliance celebrated being assessed as ready to deliver the government's "
                    "Serious Violence Duty, and partners' achievements so far: the Navigator Programme, PSHE resources "
                    "for primary schools, Safe Spaces, virtual reality knife-crime education and 37 signatories of the "
                    "Safer Places for Women and Girls Charter.",
                ),
                _quote(
                    "The VRA has been taking a multi-agency approach to preventing violence since it was established, "
                    "which is why we are in a strong position to deliver the Serious Violence Duty.",
                    BEN_ADAMS,
                ),
            ],
        ),
    ]


def story_items() -> list[tuple]:
    return [
        (
            "a-reachable-moment",
            "A reachable moment",
            D(2024, 10, 15),
            story.NAV,
            "How a navigator's visit to custody helped one 15-year-old back to school. Demo data: an illustrative, "
            "anonymised story.",
            [
                _text(
                    "A, 15, was referred by the custody sergeant after an arrest late on a Friday night. A navigator "
                    "met A and their mother the next morning, and over the following weeks helped A back into school "
                    "and away from the older boys who had been using A to carry drugs.",
                    DEMO,
                )
            ],
        ),
        (
            "sweeping-the-parks",
            "Sweeping the parks for knives",
            D(2024, 5, 2),
            story.BLEED,
            "Volunteers from Chit Chat 4 U walk the parks looking for hidden knives. Demo data: an illustrative story.",
            [
                _text(
                    "Volunteers sweep parks and open spaces for knives hidden for later use, and hand them to police.",
                    DEMO,
                )
            ],
        ),
    ]


# The accessibility statement follows GOV.UK's model statement (the Public Sector Bodies (Websites and Mobile
# Applications) (No. 2) Accessibility Regulations 2018): its sections in its order, its legally required sentences,
# and what is true of this site. Review it whenever the site changes and at least once a year.
STATEMENT_PREPARED = D(2026, 11, 30)
STATEMENT_REVIEWED = D(2026, 11, 30)
ACCESSIBILITY_EMAIL = "accessibility@outturn.demo"  # demo data: the office's real address goes here
ABILITYNET = "https://mcmw.abilitynet.org.uk/"
EASS = "https://www.equalityadvisoryservice.com/"
REGULATIONS = "https://www.legislation.gov.uk/uksi/2018/952/contents/made"
WCAG = "https://www.w3.org/TR/WCAG22/"


def _rich(*parts: str) -> dict:
    """A rich text block from HTML parts as written (headings, paragraphs and lists)."""
    return {"type": "text", "value": "".join(parts)}


def _list(*items: str) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _day(date: datetime.date) -> str:
    return f"{date.day} {date:%B %Y}"


def accessibility_statement() -> list[dict]:
    email = f'<a href="mailto:{ACCESSIBILITY_EMAIL}">{ACCESSIBILITY_EMAIL}</a>'
    return [
        _rich(
            "<p>This accessibility statement applies to the public website of the Staffordshire and Stoke-on-Trent "
            "Violence Reduction Alliance: its home page, programme and funding pages, news and stories, search, and "
            "the data behind its charts. It does not cover the provider portal or the back office the "
            "Commissioner's office works in.</p>",
            "<p>This website is run by the Office of the Staffordshire Commissioner for the Alliance. We want as many "
            "people as possible to be able to use this website. For example, that means you should be able to:</p>",
            _list(
                "change colours, contrast levels and fonts using your browser or device settings",
                "zoom in up to 400% with the text reflowing into one column, except the charts (see below)",
                "move through every page using just a keyboard, starting with a link that skips to the main content",
                "use every page, filter, chart and table without JavaScript",
                "read every chart's figures in a table under it (‘Show the data’) and download them as a CSV file",
                "tell a chart's lines and bars apart without relying on colour: each has its own marker or dash "
                "pattern, and a figure that is not published is marked and labelled, never drawn like a zero",
            ),
            "<p>We've also made the website text as simple as possible to understand.</p>",
            f'<p><a href="{ABILITYNET}">AbilityNet</a> has advice on making your device easier to use if you have a '
            "disability.</p>",
            "<h2>How accessible this website is</h2>",
            "<p>We know some parts of this website are not fully accessible:</p>",
            _list(
                "the words in a chart (its axis labels and key) do not get bigger if you change only the text size in "
                "your browser, although zooming the whole page enlarges them",
                "on a narrow screen, or zoomed in a long way, a chart keeps its width and scrolls sideways inside its "
                "box instead of reflowing",
                "images and documents that editors add depend on the description and the file they give: some may "
                "not be fully accessible",
            ),
            "<p>The same figures as every chart are in the table under it, and in its CSV file. Small counts of "
            "people are never published: they read ‘fewer than 5’ or ‘not shown’ in every format, to protect the "
            "people counted.</p>",
            "<h2>Feedback and contact information</h2>",
            "<p>If you need information on this website in a different format, like accessible PDF, large print, "
            f"easy read, audio recording or braille, email {email} (a demo address). Tell us the page's address and "
            "the format you need. We'll consider your request and get back to you in 10 working days.</p>",
            "<h2>Reporting accessibility problems with this website</h2>",
            "<p>We're always looking to improve the accessibility of this website. If you find any problems not "
            f"listed on this page or think we're not meeting accessibility requirements, email {email}. Tell us the "
            "page's address, what you were trying to do and the device and assistive technology you used.</p>",
            "<h2>Enforcement procedure</h2>",
            "<p>The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector Bodies "
            "(Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 (the ‘accessibility "
            "regulations’). If you're not happy with how we respond to your complaint, contact the "
            f'<a href="{EASS}">Equality Advisory and Support Service (EASS)</a>.</p>',
            "<h2>Technical information about this website's accessibility</h2>",
            "<p>The Office of the Staffordshire Commissioner is committed to making its website accessible, in "
            f'accordance with the <a href="{REGULATIONS}">Public Sector Bodies (Websites and Mobile Applications) '
            "(No. 2) Accessibility Regulations 2018</a>.</p>",
            "<h3>Compliance status</h3>",
            f'<p>This website is partially compliant with the <a href="{WCAG}">Web Content Accessibility Guidelines '
            "version 2.2</a> AA standard, due to the non-compliance listed below.</p>",
            "<h2>Non-accessible content</h2>",
            "<p>The content listed below is non-accessible for the following reasons.</p>",
            "<h3>Non-compliance with the accessibility regulations</h3>",
            "<p>Text in the charts is drawn as part of the chart's picture, so it keeps its size when you enlarge only "
            "the text. This fails WCAG 2.2 success criterion 1.4.4 (Resize text). Each chart's figures are also in "
            "a table of ordinary text under it. We plan to fix this by 31 March 2027.</p>",
            "<h3>Disproportionate burden</h3>",
            "<p>We are not claiming that fixing any of this website's problems would be a disproportionate burden.</p>",
            "<h3>Content that's not within the scope of the accessibility regulations</h3>",
            "<p>We know of no content on this website that is outside the scope of the regulations: it has no "
            "documents published before 23 September 2018, no live video, no maps and no third-party content we do "
            "not control.</p>",
            "<h2>What we're doing to improve accessibility</h2>",
            "<p>Every type of page on this website is checked with axe against WCAG 2.2 A and AA whenever the site's "
            "code changes, and a change that brings a serious or critical problem is not released. The charts are "
            "checked so that their labels never overlap and a figure that is not published is never drawn like a "
            "zero.</p>",
            "<h2>Preparation of this accessibility statement</h2>",
            f"<p>This statement was prepared on {_day(STATEMENT_PREPARED)}. It was last reviewed on "
            f"{_day(STATEMENT_REVIEWED)}.</p>",
            f"<p>This website was last tested on {_day(STATEMENT_REVIEWED)} against the WCAG 2.2 AA standard. The "
            "test was carried out by the Outturn development team: automated checks with axe in the Chromium browser "
            "on every type of page, and checks of each page's layout at desktop and phone widths.</p>",
        )
    ]


def about_pages() -> list[tuple]:
    return [
        (
            "accessibility-statement",
            "Accessibility statement",
            "How accessible this website is, what does not work well yet, and how to tell us about a problem.",
            accessibility_statement(),
        ),
        (
            "privacy",
            "Privacy",
            "What this website records about you.",
            [
                _text(
                    "This website sets no cookies for visitors and does not track you. The figures it publishes are "
                    "totals: it holds no records about individual children, victims or people supported.",
                )
            ],
        ),
    ]


class SiteBuilder:
    def __init__(self):
        self.home = HomePage.objects.first()

    @transaction.atomic
    def build(self) -> HomePage:
        if self.home is None:
            self.home = self._child(Page.get_first_root_node(), HomePage, "home", "Violence Reduction Alliance")
            address = site_address()
            Site.objects.update_or_create(
                is_default_site=True,
                defaults={"root_page": self.home, "hostname": address.hostname, "port": address.port},
            )
        site_sync()
        programmes = self._child(
            self.home,
            ProgrammeIndexPage,
            "programmes",
            "Programmes",
            show_in_menus=True,
            intro="The programmes the Alliance funds: what each is for, the money, what it delivered and what changed.",
        )
        funding = self._child(
            self.home,
            FundingStreamIndexPage,
            "funding",
            "Funding",
            show_in_menus=True,
            intro="Where the money comes from, how much was allocated each year, and what it funds.",
        )
        news = self._child(
            self.home,
            NewsIndexPage,
            "news",
            "News and stories",
            show_in_menus=True,
            intro="News from the Alliance and stories from the programmes.",
        )
        about = self._child(
            self.home,
            StandardPage,
            "about",
            "About the Alliance",
            show_in_menus=True,
            intro="The Staffordshire and Stoke-on-Trent Violence Reduction Alliance brings partners "
            "together to stop violence before it begins.",
            body=[
                _text(
                    "The Alliance was established in 2021 to deliver the local Serious Violence "
                    "Strategy. It is chaired by the Staffordshire Commissioner for Police, Fire & "
                    "Rescue and Crime."
                )
            ],
        )
        pages_by_slug = {}
        for slug, title, intro, body in about_pages():
            pages_by_slug[slug] = self._child(about, StandardPage, slug, title, refresh=True, intro=intro, body=body)
        stories_by_programme = programme_stories()
        for programme in public_programmes():
            self._child(
                programmes,
                ProgrammePage,
                programme.slug,
                programme.name,
                programme=programme,
                body=stories_by_programme.get(programme.slug, []),
            )
        for stream in FundingStream.objects.order_by("name"):
            self._child(funding, FundingStreamPage, stream.slug, stream.name, stream=stream)
        for slug, title, date, intro, body in news_items():
            self._child(news, NewsPage, slug, title, date=date, intro=intro, body=body)
        for slug, title, date, programme_slug, intro, body in story_items():
            programme_page = ProgrammePage.objects.filter(slug=programme_slug).first()
            self._child(news, StoryPage, slug, title, date=date, intro=intro, body=body, programme_page=programme_page)
        self._home_content()
        links = FooterLinks.for_site(Site.objects.get(is_default_site=True))
        if not links.accessibility_page_id:
            links.accessibility_page = pages_by_slug["accessibility-statement"]
            links.privacy_page = pages_by_slug["privacy"]
            links.save()
        return self.home

    def _child(self, parent: Page, model, slug: str, title: str, *, refresh: bool = False, **fields) -> Page:
        """The live page with this slug under parent, created and published if missing. With refresh, a page the
        loader wrote and no editor has touched since (no revision by a person) is brought up to this version's
        words, so that a demo loaded before gets them too."""
        if "body" in fields:
            fields["body"] = [block for block in fields["body"] if block]
        existing = parent.get_children().filter(slug=slug).first()
        if existing:
            page = existing.specific
            if refresh and not page.revisions.filter(user__isnull=False).exists():
                changed = {name: value for name, value in fields.items() if _field_value(page, name) != value}
                if changed:
                    for name, value in changed.items():
                        setattr(page, name, value)
                    page.save_revision().publish()
            return page
        page = model(slug=slug, title=title, **fields)
        parent.add_child(instance=page)
        page.save_revision().publish()
        return page

    def _home_content(self) -> None:
        home = self.home.specific
        if home.headline_figures:
            return
        home.title = "Violence Reduction Alliance: where the money goes and what it achieves"
        home.intro = (
            "The Staffordshire and Stoke-on-Trent Violence Reduction Alliance funds programmes that stop violence "
            "before it begins. Every figure here comes live from returns and data approved by the Commissioner's "
            "office."
        )
        home.headline_figures = [
            figure
            for figure in (
                _money_figure("invested", "Invested in programmes"),
                _money_figure("spent"),
                _money_figure("programmes"),
                _indicator_figure(
                    story.PARKS_CRIMES, "change", "Crimes and incidents reported in Stoke-on-Trent parks"
                ),
                _indicator_figure("navigator-children-supported", label="Children supported by navigators"),
                _indicator_figure(story.SIGNATORIES, label="Organisations signed up to the Charter"),
            )
            if figure
        ]
        home.body = [
            _callout(
                "Demo data",
                "This site shows the demo story of the two press releases. Figures the releases do not give are "
                "illustrative.",
            )
        ]
        home.featured_programmes = [
            HomeFeaturedProgramme(page=page)
            for page in ProgrammePage.objects.filter(slug__in=[story.NAV, story.PARKS, story.SPACE]).order_by("title")
        ]
        home.save_revision().publish()


def _field_value(page: Page, name: str):
    """A field as the loader writes it: a StreamField as its list of blocks' raw data."""
    value = getattr(page, name)
    if hasattr(value, "raw_data"):
        return [{"type": block["type"], "value": block["value"]} for block in value.raw_data]
    return value


def public_programmes() -> QuerySet[Programme]:
    """The programmes the public site gives a page: those with an agreed grant (active or closed), and those with
    an approved figure of their own, such as the Charter, whose signatories the office counts without a grant."""
    agreed = Grant.objects.filter(programme=OuterRef("pk"), status__in=(Grant.Status.ACTIVE, Grant.Status.CLOSED))
    figures = IndicatorValue.objects.filter(indicator__programme=OuterRef("pk"), approved_at__isnull=False)
    return Programme.objects.filter(Exists(agreed) | Exists(figures)).order_by("name")


def build_demo_site() -> HomePage:
    return SiteBuilder().build()
