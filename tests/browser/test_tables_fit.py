"""Tables that fit (issue 10): on every dashboard and wide listing of the back office, and every screen with a wide
table that the demo reaches (a return's review, the payments due for approval, the finance import and its preview, a
grant's, a return's and a variation's record, a grant's closing, the board reports), at 1280 px and at 375 px, each
column heading is on the screen or in a region that scrolls sideways, which is named and reachable by keyboard; the
page itself never scrolls sideways and passes axe. Screenshots of each screen go to /tmp/screens/ for a person to
look at."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.urls import reverse

from funding.fiscal import FinancialYear
from funding.models import FundingStream, User
from programmes.models import Grant, GrantVariation, Programme, QuarterlyReturn
from programmes.selectors import PAST_END_READY, grants_past_end
from programmes.services import return_approve, today
from tests.browser.axe import axe_violations
from tests.browser.test_back_office_sign_in import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = "2024-11-15"  # mid-year: every stream has money in 2024/25, and returns are due, late and approved
YEAR = FinancialYear(2024)
SCREENS = Path("/tmp/screens")
VIEWPORTS = {"1280": (1280, 900), "375": (375, 800)}

# Every <th> on the screen, with what hides it: a box that cuts it off, a scrolling box that is not a named,
# focusable region, or the edge of the screen. A heading in a region that scrolls is checked by the region's box.
PROBLEMS_OF_HEADINGS = """() => {
    const name = (el) => {
        const ids = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean);
        const labelled = ids.map((id) => document.getElementById(id)?.textContent.trim() || "").join(" ").trim();
        return labelled || (el.getAttribute("aria-label") || "").trim();
    };
    const problems = [];
    for (const th of document.querySelectorAll("main table th")) {
        if (!th.getClientRects().length) continue;  // not displayed
        const heading = `"${th.textContent.trim().replace(/\\s+/g, " ")}"`;
        let box = th.getBoundingClientRect();
        let problem = null;
        for (let el = th.parentElement; el && el !== document.documentElement && !problem; el = el.parentElement) {
            const style = getComputedStyle(el);
            if (style.overflowX === "visible") continue;
            const edges = el.getBoundingClientRect();
            if (box.left >= edges.left - 1 && box.right <= edges.right + 1) continue;
            const scrolls = ["auto", "scroll"].includes(style.overflowX) && el.scrollWidth > el.clientWidth;
            if (!scrolls) {
                problem = `${heading} is cut off by <${el.tagName.toLowerCase()} class="${el.className}">`;
            } else if (el.getAttribute("role") !== "region" || !name(el) || el.tabIndex !== 0) {
                problem = `${heading} scrolls in a box without role=region, a name and tabindex=0`;
            } else {
                box = edges;  // reachable by scrolling the region, which must itself be on the screen
            }
        }
        if (!problem && (box.left < -1 || box.right > innerWidth + 1)) problem = `${heading} is past the screen's edge`;
        if (problem) problems.push(problem);
    }
    return problems;
}"""

# Wagtail's <main> hides what reaches past it (overflow-x: hidden) rather than letting the page scroll sideways.
CONTENT_CUT_OFF = (
    "() => { const main = document.getElementById('main'); return main.scrollWidth > main.clientWidth + 1; }"
)


def back_office_screens(*, reviewed: QuarterlyReturn) -> list[tuple[str, str]]:
    """(name, URL) of each screen a finance officer sees with a wide table: each dashboard and wide listing, each
    showing the demo's busiest stream, grant and programme, and the screens of a return, a payment and a grant."""
    stream = (
        FundingStream.objects.annotate(charge_count=Count("charges", filter=Q(charges__financial_year=YEAR.start_year)))
        .order_by("-charge_count", "pk")
        .first()
    )
    grant = Grant.objects.annotate(return_count=Count("returns")).order_by("-return_count", "pk").first()
    programme = (
        Programme.objects.annotate(indicator_count=Count("indicators")).order_by("-indicator_count", "pk").first()
    )
    return [
        ("first-screen", reverse("wagtailadmin_home")),
        ("funding-overview", reverse("outturn_dashboards:overview")),
        ("stream-year", reverse("outturn_dashboards:stream_year", args=(stream.pk, YEAR.start_year))),
        ("grant-quarters", reverse("outturn_dashboards:grant_quarters", args=(grant.pk,))),
        ("returns-matrix", reverse("outturn_dashboards:returns_matrix")),
        ("limits-passed", reverse("outturn_dashboards:limits_passed")),
        ("programme-progress-index", reverse("outturn_dashboards:programme_progress_index")),
        ("programme-progress", reverse("outturn_dashboards:programme_progress", args=(programme.pk,))),
        ("value-for-money", reverse("outturn_dashboards:value_for_money")),
        ("payments", reverse("outturn_payments:index")),
        ("grants", reverse("outturn_grants:index")),
        ("quarterly-returns", reverse("outturn_returns:index")),
        ("indicator-values", reverse("outturn_indicator_values:index")),
        ("return-review", reverse("outturn_review:review", args=(reviewed.pk,))),
        ("return-inspect", reverse("outturn_returns:inspect", args=(reviewed.pk,))),
        ("payment-approval", reverse("outturn_payments:approve")),
        ("finance-import", reverse("outturn_finance_import:index")),
        ("finance-import-preview", reverse("outturn_finance_import:index")),  # then checks the sample file: PREVIEWS
        ("grant-inspect", reverse("outturn_grants:inspect", args=(grant.pk,))),
        ("variation-inspect", reverse("outturn_variations:inspect", args=(GrantVariation.objects.earliest("pk").pk,))),
        ("board-reports", reverse("outturn_reports:index")),
    ]


def officer_screens() -> list[tuple[str, str]]:
    """(name, URL) of the screens with wide tables that only a commissioning officer opens: closing a grant."""
    ready = grants_past_end(Grant.objects.all(), on=today(), which=PAST_END_READY).order_by("pk").first()
    assert ready, "the demo has no grant past its end date that is ready to close"
    return [("grant-close", reverse("outturn_grants:close", args=(ready.pk,)))]


def check_the_sample_ledger(page, live_server) -> None:
    """The finance import's preview: the sample ledger file it offers, uploaded and checked (nothing is imported)."""
    sample = page.request.get(f"{live_server.url}{reverse('outturn_finance_import:sample')}")
    ledger = {"name": "ledger.csv", "mimeType": "text/csv", "buffer": sample.body()}
    page.locator("input[type=file]").set_input_files(ledger)
    page.get_by_role("button", name="Check the file").click()
    page.locator("#import-summary, #import-errors").wait_for()


# Screens reached from the one at their URL: what to do there.
PREVIEWS = {"finance-import-preview": check_the_sample_ledger}


def save_screenshot(page, path: Path, viewport: tuple[int, int]) -> None:
    """The whole screen: Wagtail's content scrolls inside <main>, so the window is made as tall as the content."""
    width, height = viewport
    content_height = page.evaluate("() => document.getElementById('main').scrollHeight")
    page.set_viewport_size({"width": width, "height": max(height, min(content_height, 8000))})
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": width, "height": height})


def test_every_dashboard_and_listing_shows_each_column_or_scrolls_it_into_view(page, live_server, settings):
    settings.OUTTURN_TODAY = TODAY
    call_command("load_demo_data", stdout=io.StringIO())  # once for both widths: it takes most of the test's time
    finance, officer = User.objects.get(email="finance@outturn.demo"), User.objects.get(email="officer@outturn.demo")
    submitted = QuarterlyReturn.objects.filter(status=QuarterlyReturn.Status.SUBMITTED).order_by("pk")
    reviewed = submitted.first()
    # A payment due for approval (the demo has none today): the officer approves another submitted return, of a grant
    # paid in arrears, which releases its quarter's payment.
    in_arrears = submitted.exclude(pk=reviewed.pk).filter(grant__payment_mode=Grant.PaymentMode.IN_ARREARS).first()
    return_approve(quarterly_return=in_arrears, user=officer)
    screens_by_user = [(finance, back_office_screens(reviewed=reviewed)), (officer, officer_screens())]
    SCREENS.mkdir(exist_ok=True)

    problems, scrolled = [], set()
    for user, screens in screens_by_user:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        page.context.clear_cookies()
        sign_in(page, live_server, user.email)
        page.wait_for_url(f"{live_server.url}/admin/")
        for width, viewport in VIEWPORTS.items():
            page.set_viewport_size(dict(zip(("width", "height"), viewport, strict=True)))
            for name, url in screens:
                page.goto(f"{live_server.url}{url}")
                if name in PREVIEWS:
                    PREVIEWS[name](page, live_server)
                assert page.locator("main table th").count(), f"{name}: no table to check at {url}"
                page.evaluate("() => document.querySelectorAll('main details').forEach((d) => { d.open = true; })")
                save_screenshot(page, SCREENS / f"{name}-{width}.png", viewport)
                problems += [f"{name} at {width}: {problem}" for problem in problems_on(page)]
                if scrolls_by_keyboard(page):
                    scrolled.add((name, width))

    assert problems == []
    # At a phone's width the wide tables scroll, and a keyboard has scrolled one on each of these screens.
    assert {(name, "375") for name in ("funding-overview", "stream-year", "grant-quarters", "payments")} <= scrolled


def problems_on(page) -> list[str]:
    problems = page.evaluate(PROBLEMS_OF_HEADINGS)
    if page.evaluate("() => document.scrollingElement.scrollWidth > innerWidth + 1"):
        problems.append("the page scrolls sideways")
    if page.evaluate(CONTENT_CUT_OFF):
        problems.append("something reaches past the edge of the page's content, which cuts it off")
    return problems + [f"axe {v['id']} ({v['impact']}) at {v['nodes'][0]['target']}" for v in axe_violations(page)]


def scrolls_by_keyboard(page) -> bool:
    """The first region on the screen that has more to show than fits: focused, it scrolls with the arrow keys."""
    regions = page.locator(".outturn-table-region")
    overflows = regions.evaluate_all("(regions) => regions.map((region) => region.scrollWidth > region.clientWidth)")
    if True not in overflows:
        return False
    region = regions.nth(overflows.index(True))
    region.focus()
    assert page.evaluate("() => document.activeElement.getAttribute('role')") == "region"
    page.keyboard.press("ArrowRight")
    page.wait_for_function("(region) => region.scrollLeft > 0", arg=region.element_handle(), timeout=2000)
    return True
