"""Who gets what at every URL of our apps, generated from the URL configuration.

The test walks `get_resolver()`: every URL whose view is ours (defined in programmes, funding, reports or cms), or
that a viewset or URL configuration of ours routes (a Wagtail viewset's generic views, the portal's sign-out), is
requested by each kind of person: nobody signed in, each office role, the provider editor and approver of the
organisation that owns the records in the URL, and an approver of another organisation. `ACCESS` says, by URL
name, who gets in. Everyone else must be refused: sent to sign in, sent to their own part of the site, or answered
403 or 404. Never a 500, never a page with another organisation's records on it.

A URL of our apps that `ACCESS` does not name fails the test, so that a new view cannot be added without saying
who may use it. One data set serves the whole module (built once, rolled back at the end).
"""

import dataclasses
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from wagtail.admin.viewsets import viewsets as admin_viewsets

from cms.models import HomePage, ProgrammeIndexPage, ProgrammePage
from funding.money import gbp
from funding.roles import Role
from programmes.models import GrantVariation, Indicator, IndicatorValue
from programmes.services import payment_create
from tests.factories import AreaFactory, OrganisationFactory, UserFactory, funded_grant, office_user
from tests.programmes.portal_returns import PDF, YEAR, navigator_return, submitted, temporary_evidence_storage

OUR_APPS = ("programmes", "funding", "reports", "cms")

# --- Who asks --------------------------------------------------------------------------------------------------

ANONYMOUS = "nobody signed in"
COMMISSIONING = "commissioning officer"
FINANCE = "finance officer"
BOARD = "board viewer"
CONTENT = "content editor"
SUPERUSER = "superuser"
EDITOR = "provider editor"  # of the organisation that owns the records in the URL
APPROVER = "provider approver"  # of that organisation
OUTSIDER = "another organisation's approver"
PEOPLE = (ANONYMOUS, COMMISSIONING, FINANCE, BOARD, CONTENT, SUPERUSER, EDITOR, APPROVER, OUTSIDER)

READERS = frozenset({COMMISSIONING, FINANCE, BOARD, SUPERUSER})  # funding.roles.RECORD_READER_ROLES
OFFICE = READERS | {CONTENT}
SETUP = frozenset({COMMISSIONING, SUPERUSER})  # edit streams, programmes, grants, indicators, targets
FINANCE_ONLY = frozenset({FINANCE, SUPERUSER})
SUPERUSER_ONLY = frozenset({SUPERUSER})
OWNER = frozenset({EDITOR, APPROVER})
PROVIDERS = OWNER | {OUTSIDER}  # pages of one's own organisation that name no record of another
APPROVERS = frozenset({APPROVER, OUTSIDER})
OWNER_AND_READERS = OWNER | READERS
EVERYONE = frozenset(PEOPLE)


@dataclasses.dataclass(frozen=True)
class Access:
    """Who gets in at a URL, and what fills its path: `pk` names an object of the data set, `kwargs` builds them.
    `done_at` is where the URL sends those it serves when that is a sign-in page (signing out)."""

    allowed: frozenset[str]
    pk: str | None = None
    kwargs: Callable[[dict], dict] | None = None
    method: str = "get"
    done_at: str | None = None

    def url_kwargs(self, objects: dict) -> dict:
        if self.kwargs is not None:
            return self.kwargs(objects)
        return {"pk": objects[self.pk].pk} if self.pk else {}


def _return_file(objects):
    return {"return_pk": objects["return"].pk, "pk": objects["evidence"].pk}


def _viewset(namespace: str, pk: str, *, read: frozenset, write: frozenset | None = None) -> dict[str, Access]:
    """The routes of one of our model viewsets (funding.admin_views.OutturnModelViewSet): listed, inspected and its
    history read by `read`; added, edited and its usage seen by `write`, if it has them."""
    routes = {
        f"{namespace}:index": Access(read),
        f"{namespace}:index_results": Access(read),
        f"{namespace}:inspect": Access(read, pk=pk),
        f"{namespace}:history": Access(read, pk=pk),
        f"{namespace}:history_results": Access(read, pk=pk),
    }
    if write is not None:
        routes |= {
            f"{namespace}:add": Access(write),
            f"{namespace}:edit": Access(write, pk=pk),
            f"{namespace}:usage": Access(write, pk=pk),
        }
    return routes


def _chooser(namespace: str, pk: str) -> dict[str, Access]:
    """A chooser the public site's editors pick records with: names of public things, for the office."""
    return {
        f"{namespace}:choose": Access(OFFICE),
        f"{namespace}:choose_results": Access(OFFICE),
        f"{namespace}:chosen": Access(OFFICE, kwargs=lambda objects: {"pk": str(objects[pk].pk)}),
        f"{namespace}:chosen_multiple": Access(OFFICE),
    }


# Who may use each URL of our apps, by URL name. DESIGN.md, "Who may do what", is the source.
ACCESS: dict[str, Access] = {
    # Funding menu: set-up data, read by the office's readers of records and edited by commissioning officers.
    **_viewset("outturn_organisations", "organisation", read=READERS, write=SETUP),
    **_viewset("outturn_areas", "area", read=READERS, write=SETUP),
    **_viewset("outturn_streams", "stream", read=READERS, write=SETUP),
    **_viewset("outturn_allocations", "allocation", read=READERS),
    "outturn_overrides:index": Access(READERS),
    "outturn_overrides:index_results": Access(READERS),
    # Programmes menu.
    **_viewset("outturn_programmes", "programme", read=READERS, write=SETUP),
    **_viewset("outturn_grants", "grant", read=READERS, write=SETUP),
    "outturn_grants:activate": Access(SETUP, pk="draft_grant"),
    "outturn_grants:close": Access(SETUP, pk="grant"),
    **{
        name: access
        for name, access in _viewset("outturn_budget_lines", "budget_line", read=READERS, write=SETUP).items()
        if name != "outturn_budget_lines:add"  # a line is added on its grant
    },
    **_viewset("outturn_indicators", "indicator", read=READERS, write=SETUP),
    **_viewset("outturn_targets", "target", read=READERS, write=SETUP),
    # Returns menu: workflow records, read by the office's readers, changed only through their workflow screens.
    "outturn_review:index": Access(READERS),
    "outturn_review:index_results": Access(READERS),
    "outturn_review:review": Access(READERS, pk="return"),
    "outturn_review:evidence": Access(
        READERS, kwargs=lambda objects: {"pk": objects["return"].pk, "file_pk": objects["evidence"].pk}
    ),
    **_viewset("outturn_returns", "return", read=READERS),
    **_viewset("outturn_payments", "payment", read=READERS),
    "outturn_payments:approve": Access(READERS),  # finance approves; the others see what is due
    "outturn_finance_import:index": Access(FINANCE_ONLY),
    "outturn_finance_import:sample": Access(FINANCE_ONLY),
    **_viewset("outturn_indicator_values", "indicator_value", read=READERS),
    **_viewset("outturn_variations", "variation", read=READERS),
    # Dashboards.
    "outturn_dashboards:overview": Access(READERS),
    "outturn_dashboards:stream_year": Access(READERS, kwargs=lambda o: {"pk": o["stream"].pk, "year": YEAR}),
    "outturn_dashboards:grant_quarters": Access(READERS, pk="grant"),
    "outturn_dashboards:returns_matrix": Access(READERS),
    "outturn_dashboards:limits_passed": Access(READERS),
    "outturn_dashboards:programme_progress_index": Access(READERS),
    "outturn_dashboards:programme_progress": Access(READERS, pk="programme"),
    "outturn_dashboards:value_for_money": Access(READERS),
    # Board and funder reports: a board pack is for every reader of records (reports.report_services.REPORT_ROLES).
    "outturn_reports:index": Access(READERS),
    "outturn_reports:new": Access(READERS),
    "outturn_reports:detail": Access(READERS, pk="report"),
    "outturn_reports:download": Access(READERS, pk="report"),
    # Users: Wagtail's user admin with our listing and forms, for superusers (no role holds the auth permissions).
    "wagtailusers_users:index": Access(SUPERUSER_ONLY),
    "wagtailusers_users:index_results": Access(SUPERUSER_ONLY),
    "wagtailusers_users:add": Access(SUPERUSER_ONLY),
    "wagtailusers_users:edit": Access(SUPERUSER_ONLY, pk="member"),
    "wagtailusers_users:delete": Access(SUPERUSER_ONLY, pk="member"),
    "wagtailusers_users:history": Access(SUPERUSER_ONLY, pk="member"),
    "wagtailusers_users:history_results": Access(SUPERUSER_ONLY, pk="member"),
    "wagtailusers_users:usage": Access(SUPERUSER_ONLY, pk="member"),
    "wagtailusers_users:copy": Access(SUPERUSER_ONLY, pk="member"),
    # The public site's choosers of domain records.
    **_chooser("cms_indicator_chooser", "indicator"),
    **_chooser("cms_programme_chooser", "programme"),
    **_chooser("cms_stream_chooser", "stream"),
    # The provider portal: signing in and out is for everyone; the rest for a provider's users, their own records.
    "portal:login": Access(PROVIDERS | {ANONYMOUS}),  # the office is sent to the back office
    "portal:logout": Access(EVERYONE, method="post", done_at="/portal/sign-in/"),
    "portal:password_reset": Access(EVERYONE),
    "portal:password_reset_sent": Access(EVERYONE),
    "portal:password_reset_confirm": Access(EVERYONE, kwargs=lambda objects: {"uidb64": "MQ", "token": "set-password"}),
    "portal:password_set_done": Access(EVERYONE),
    "portal:home": Access(PROVIDERS),
    "portal:grant": Access(OWNER, pk="grant"),
    "portal:return": Access(OWNER, pk="return"),
    "portal:return_spend": Access(OWNER, pk="return"),
    "portal:return_indicators": Access(OWNER, pk="return"),
    "portal:return_narrative": Access(OWNER, pk="return"),
    "portal:return_evidence": Access(OWNER, pk="return"),
    "portal:evidence_download": Access(OWNER, kwargs=_return_file),
    "portal:evidence_delete": Access(OWNER, kwargs=_return_file),
    "portal:return_check": Access(OWNER, pk="return"),
    "portal:return_receipt": Access(OWNER, pk="return"),
    "portal:users": Access(APPROVERS),
    "portal:user_invite": Access(APPROVERS),
    "portal:user": Access(frozenset({APPROVER}), pk="member"),
    "portal:user_deactivate": Access(frozenset({APPROVER}), pk="member"),
    "portal:user_reactivate": Access(frozenset({APPROVER}), pk="inactive_member", method="post"),
    "portal:user_resend_invitation": Access(frozenset({APPROVER}), pk="member", method="post"),
    # Documents: a submitted return's receipt, for its provider and the office's readers (not content editors).
    "reports:return_receipt_pdf": Access(OWNER_AND_READERS, pk="return"),
    # The public site's own views.
    "cms:search": Access(EVERYONE),
    "cms:indicator_csv": Access(EVERYONE, kwargs=lambda objects: {"slug": objects["indicator"].slug}),
    "cms:stream_csv": Access(EVERYONE, kwargs=lambda objects: {"slug": objects["stream"].slug}),
    "cms:programme_money_csv": Access(EVERYONE, kwargs=lambda objects: {"slug": objects["programme"].slug}),
    "cms:programme_factsheet": Access(EVERYONE, kwargs=lambda objects: {"page_path": objects["programme_page_path"]}),
}


# --- The URLs of our apps, from the URL configuration ------------------------------------------------------------


def _ours(module: str) -> bool:
    return module.split(".")[0] in OUR_APPS


def _view_module(callback) -> str:
    view_class = getattr(callback, "view_class", None)
    return (view_class or callback).__module__


def _our_viewset_namespaces() -> set[str]:
    get_resolver().url_patterns  # noqa: B018 (building the URLs registers Wagtail's viewsets)
    return {viewset.name for viewset in admin_viewsets.viewsets if _ours(type(viewset).__module__)}


def _walk(patterns, namespace: str = "", in_our_urlconf: bool = False):
    """(URL name, whether it is ours) for every named URL."""
    viewset_namespaces = _our_viewset_namespaces()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            full = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            urlconf = pattern.urlconf_name
            urlconf = urlconf if isinstance(urlconf, str) else getattr(urlconf, "__name__", "")
            ours = in_our_urlconf or _ours(urlconf) or full in viewset_namespaces
            yield from _walk(pattern.url_patterns, full, ours)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, in_our_urlconf or _ours(_view_module(pattern.callback))


def our_url_names() -> list[str]:
    return sorted({name for name, ours in _walk(get_resolver().url_patterns) if ours})


OUR_URL_NAMES = our_url_names()


def test_every_url_of_our_apps_says_who_may_use_it():
    missing = [name for name in OUR_URL_NAMES if name not in ACCESS]
    assert not missing, f"Say who may use these URLs in ACCESS (tests/test_url_permissions.py): {missing}"
    gone = sorted(set(ACCESS) - set(OUR_URL_NAMES))
    assert not gone, f"ACCESS names URLs that no longer exist: {gone}"


# --- One data set for the module ---------------------------------------------------------------------------------


def _build() -> tuple[dict, dict]:
    """The people and the records: a provider's submitted return with evidence, beside another provider's."""
    commissioning = office_user(Role.COMMISSIONING_OFFICER, email="officer@example.org")
    finance = office_user(Role.FINANCE_OFFICER, email="finance@example.org")
    commissioner = commissioning.organisation
    owner = OrganisationFactory(name="Reachable Moment (owner)")
    other = OrganisationFactory(name="Night Light (other)")
    people = {
        ANONYMOUS: None,
        COMMISSIONING: commissioning,
        FINANCE: finance,
        BOARD: office_user(Role.BOARD_VIEWER, email="board@example.org"),
        CONTENT: office_user(Role.CONTENT_EDITOR, email="content@example.org"),
        SUPERUSER: UserFactory(organisation=commissioner, is_superuser=True, is_staff=True, email="admin@example.org"),
        EDITOR: UserFactory(organisation=owner, roles=[Role.PROVIDER_EDITOR], email="editor@owner.example"),
        APPROVER: UserFactory(organisation=owner, roles=[Role.PROVIDER_APPROVER], email="approver@owner.example"),
        OUTSIDER: UserFactory(organisation=other, roles=[Role.PROVIDER_APPROVER], email="approver@other.example"),
    }
    quarterly_return = submitted(navigator_return(provider=owner, officer=commissioning), people[APPROVER], files=1)
    other_return = submitted(navigator_return(provider=other, officer=commissioning), people[OUTSIDER])
    grant = quarterly_return.grant
    line = grant.budget_lines.order_by("pk").first()
    payment = payment_create(grant=grant, amount=gbp("1000.00"), date=grant.start_date, user=finance)
    dates = {"amount": str(grant.amount.amount), "start_date": "2024-04-01", "end_date": "2025-03-31"}
    variation = GrantVariation.objects.create(
        grant=grant,
        kind=GrantVariation.Kind.DATES,
        reason="A late start",
        before=dates,
        after={**dates, "end_date": "2025-06-30"},
        made_by=commissioning,
    )
    draft_grant = funded_grant(provider=owner, lead_officer=commissioning)
    inactive = UserFactory(organisation=owner, roles=[Role.PROVIDER_EDITOR], is_active=False)
    report = _board_pack(requested_by=commissioning) if "outturn_reports:detail" in ACCESS else None
    programme_page = _programme_page(grant.programme)
    objects = {
        "organisation": owner,
        "area": AreaFactory(),
        "stream": grant.charges.first().stream,
        "allocation": grant.charges.first().stream.allocations.first(),
        "programme": grant.programme,
        "grant": grant,
        "draft_grant": draft_grant,
        "budget_line": line,
        "indicator": Indicator.objects.filter(programme=grant.programme).order_by("pk").first(),
        "target": grant.targets.first(),
        "return": quarterly_return,
        "evidence": quarterly_return.evidence.first(),
        "payment": payment,
        "indicator_value": IndicatorValue.objects.filter(quarterly_return=quarterly_return).first(),
        "variation": variation,
        "member": people[EDITOR],
        "inactive_member": inactive,
        "report": report,
        "programme_page_path": programme_page.url.strip("/") + "/",
        # What must never show to the owner's users, and of the owner's records, to anyone else outside the office.
        "other_grant": other_return.grant,
    }
    return people, objects


def _programme_page(programme):
    """The programme's live page on the public site, under the Programmes index."""
    index = HomePage.objects.get().add_child(instance=ProgrammeIndexPage(title="Programmes", slug="programmes"))
    page = index.add_child(instance=ProgrammePage(title=programme.name, slug=programme.slug, programme=programme))
    page.save_revision().publish()
    return page


def _board_pack(*, requested_by):
    """A board pack made and ready to download (reports.models.Report, imported here: the model is newer than this
    test, and the test must still say which of its URLs have gone if it is taken out)."""
    from reports.models import Report

    report = Report(
        kind=Report.Kind.BOARD_PACK,
        file_format=Report.Format.PDF,
        financial_year=YEAR,
        quarter=2,
        status=Report.Status.READY,
        requested_by=requested_by,
    )
    report.file.save("board-pack.pdf", ContentFile(PDF), save=False)
    report.save()
    return report


@pytest.fixture(scope="module")
def dataset(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction that is rolled back after its last test; each test runs in a
    savepoint within it (pytest-django's `db`), so what one test's requests change, the next does not see."""
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as monkeypatch:
        storage = temporary_evidence_storage(monkeypatch, tmp_path_factory.mktemp("private-media"))
        if "outturn_reports:detail" in ACCESS:
            from reports.models import Report

            monkeypatch.setattr(Report._meta.get_field("file"), "storage", storage)
        with transaction.atomic():
            yield _build()
            transaction.set_rollback(True)


# --- The requests ------------------------------------------------------------------------------------------------

OK, REFUSED = "let in", "refused"
SIGN_IN_PATHS = ("/portal/sign-in/", "/admin/login/")
# A refusal is a page in a layout: the GOV.UK one of the part of the site asked (config/errors.py), or Wagtail's
# own in the back office (its 404). Never a bare line of text.
STYLED_LAYOUTS = ('class="govuk-template"', 'class="w-theme-')


def _area(path: str) -> str:
    for prefix in ("/admin/", "/portal/"):
        if path.startswith(prefix):
            return prefix
    return "/"


def outcome(path: str, response, done_at: str | None = None) -> str:
    """Let in (200, or a redirect within the same part of the site), refused (sent to sign in, to one's own part of
    the site, Wagtail's "Sorry, you do not have permission" back to the dashboard, 403 or 404), or what came."""
    status = response.status_code
    if status == 200:
        return OK
    if status in (403, 404):
        return REFUSED
    if status == 302:
        target = urlsplit(response.url).path
        if target == done_at:
            return OK
        if target.startswith(SIGN_IN_PATHS) or _area(target) != _area(path):
            return REFUSED
        if target == reverse("wagtailadmin_home") and path != target:
            return REFUSED
        return OK
    return f"HTTP {status}"


def _body(response) -> str:
    """The page's text; a file or PDF is read to its end (which closes it) and counts as no text."""
    if response.streaming:
        b"".join(response.streaming_content)
        return ""
    if "text" not in response.get("Content-Type", ""):
        return ""
    return response.content.decode(errors="replace")


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _requests(access: Access, person: str) -> list[str]:
    """The methods to try: the URL's own, and for those it refuses a post as well, which must be refused too."""
    if person in access.allowed or access.method == "post":
        return [access.method]
    return [access.method, "post"]


@pytest.mark.parametrize("url_name", OUR_URL_NAMES)
def test_who_gets_in(url_name, dataset, db):
    assert url_name in ACCESS, f"Say who may use {url_name} in ACCESS"
    people, objects = dataset
    access = ACCESS[url_name]
    url = reverse(url_name, kwargs=access.url_kwargs(objects))
    owner_grant, other_grant = objects["grant"].identifier, objects["other_grant"].identifier
    wrong = []
    for person in PEOPLE:
        for method in _requests(access, person):
            response = getattr(_client(people[person]), method)(url)
            expected = OK if person in access.allowed else REFUSED
            got = outcome(url, response, access.done_at)
            if got == "HTTP 405" and method == "post" and expected == REFUSED:
                got = REFUSED  # the view takes no posts: nothing was done or shown
            if got != expected:
                where = f" to {response.url}" if response.status_code == 302 else ""
                wrong.append(f"{person} ({method}): expected {expected}, got {response.status_code}{where} ({got})")
            body = _body(response)
            if response.status_code in (403, 404) and not any(layout in body for layout in STYLED_LAYOUTS):
                wrong.append(f"{person} ({method}): a {response.status_code} that is not a styled page: {body[:80]!r}")
            # Never another organisation's records: the owner's grant only to its users and the office's readers.
            if person not in OWNER_AND_READERS and owner_grant in body:
                wrong.append(f"{person} ({method}): shown {owner_grant}, a grant of another organisation")
            if person in OWNER and other_grant in body:
                wrong.append(f"{person} ({method}): shown {other_grant}, a grant of another organisation")
    assert not wrong, f"{url_name} ({url}):\n" + "\n".join(wrong)
