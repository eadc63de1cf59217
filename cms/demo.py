"""The demo public site: the page tree and the pages for the press releases' programmes and streams.

Pages are found by their slug under their parent and only missing ones are written, so this runs on every
`make run` after `load_demo_data` and leaves alone whatever an editor has changed. The words are from the two
press releases (quotes as released) or written for the demo; the figures on every page are live.
"""

import datetime

from django.db import transaction
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
from funding.models import FundingStream
from programmes.demo import story
from programmes.models import Indicator, Programme

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


def about_pages() -> list[tuple]:
    return [
        (
            "accessibility-statement",
            "Accessibility statement",
            "How accessible this website is, and how to tell us about a problem.",
            [
                _text(
                    "This website is run by the Staffordshire and Stoke-on-Trent Violence Reduction Alliance. We want "
                    "as many people as possible to be able to use it. It aims to meet the Web Content Accessibility "
                    "Guidelines version 2.2 at AA standard, works without JavaScript, and gives every chart its data "
                    "as a table and a CSV file.",
                    "If you find a problem, or need information in another format, contact the Commissioner's office.",
                )
            ],
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
            Site.objects.update_or_create(
                is_default_site=True, defaults={"root_page": self.home, "hostname": "localhost"}
            )
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
            pages_by_slug[slug] = self._child(about, StandardPage, slug, title, intro=intro, body=body)
        stories_by_programme = programme_stories()
        for programme in Programme.objects.filter(grants__status__in=("active", "closed")).distinct().order_by("name"):
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

    def _child(self, parent: Page, model, slug: str, title: str, **fields) -> Page:
        """The live page with this slug under parent, created and published if missing."""
        existing = parent.get_children().filter(slug=slug).first()
        if existing:
            return existing.specific
        if "body" in fields:
            fields["body"] = [block for block in fields["body"] if block]
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


def build_demo_site() -> HomePage:
    return SiteBuilder().build()
