"""The Dashboards menu of the staff back office, its stylesheet, and the funding overview on the first screen."""

from django.templatetags.static import static
from django.urls import include, path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem
from wagtail.admin.ui.components import Component

from funding.admin_views import menu_item_shown_to
from funding.fiscal import FinancialYear
from programmes.services import today
from reports import admin_reports, admin_views, report_services, selectors

DASHBOARD_PAGES = [
    ("Funding overview", "outturn_dashboards:overview", "table"),
    ("Returns matrix", "outturn_dashboards:returns_matrix", "form"),
    ("Programme progress", "outturn_dashboards:programme_progress_index", "crosshairs"),
    ("Value for money", "outturn_dashboards:value_for_money", "decimal"),
    ("Limits passed", "outturn_dashboards:limits_passed", "warning"),
]
DashboardMenuItem = menu_item_shown_to(selectors.can_view_dashboards)


class DashboardsSubmenuItem(SubmenuMenuItem):
    def is_shown(self, request):
        return selectors.can_view_dashboards(request.user)


@hooks.register("register_admin_urls")
def register_dashboard_urls():
    urls = [
        path("", admin_views.FundingOverviewView.as_view(), name="overview"),
        path("streams/<int:pk>/<int:year>/", admin_views.StreamYearView.as_view(), name="stream_year"),
        path("grants/<int:pk>/", admin_views.GrantQuartersView.as_view(), name="grant_quarters"),
        path("returns-matrix/", admin_views.ReturnsMatrixView.as_view(), name="returns_matrix"),
        path("limits-passed/", admin_views.LimitsPassedView.as_view(), name="limits_passed"),
        path("programmes/", admin_views.ProgrammeProgressIndexView.as_view(), name="programme_progress_index"),
        path("programmes/<int:pk>/", admin_views.ProgrammeProgressView.as_view(), name="programme_progress"),
        path("value-for-money/", admin_views.ValueForMoneyView.as_view(), name="value_for_money"),
    ]
    return [path("dashboards/", include((urls, "outturn_dashboards")))]


@hooks.register("register_admin_urls")
def register_report_urls():
    urls = [
        path("", admin_reports.ReportIndexView.as_view(), name="index"),
        path("new/", admin_reports.ReportRequestView.as_view(), name="new"),
        path("<int:pk>/", admin_reports.ReportDetailView.as_view(), name="detail"),
        path("<int:pk>/download/", admin_reports.ReportDownloadView.as_view(), name="download"),
    ]
    return [path("board-reports/", include((urls, "outturn_reports")))]


# Under Wagtail's own Reports menu, beside its site history: one place to look for anything called a report.
@hooks.register("register_reports_menu_item")
def register_reports_menu_item():
    return menu_item_shown_to(report_services.report_kinds_for)(
        "Board and funder reports", reverse("outturn_reports:index"), icon_name="doc-full", order=50
    )


@hooks.register("register_log_actions")
def register_reports_log_actions(actions):
    actions.register_action(report_services.REPORT_REQUEST_LOG_ACTION, "Ask for a report", "Asked for")


@hooks.register("register_admin_menu_item")
def register_dashboards_menu():
    items = [
        DashboardMenuItem(label, reverse(name), icon_name=icon, order=order)
        for order, (label, name, icon) in enumerate(DASHBOARD_PAGES)
    ]
    return DashboardsSubmenuItem("Dashboards", Menu(items=items), icon_name="table", order=150)


@hooks.register("insert_global_admin_css")
def dashboards_css():
    return format_html('<link rel="stylesheet" href="{}">', static("reports/dashboards.css"))


class FundingOverviewPanel(Component):
    """The current financial year's money by stream, first on the office's first screen."""

    name = "funding_overview"
    template_name = "reports/admin/funding_overview_panel.html"
    order = 40

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        on = today()
        overview = selectors.funding_overview(user=self.user, year=FinancialYear.from_date(on), on=on)
        limits = selectors.limits_passed_list(user=self.user)
        return {
            "overview": overview,
            "rows": [admin_views.stream_links(row) for row in overview.rows],
            "limits_passed": len(limits),
            "limits_unexplained": sum(1 for limit in limits if not limit.has_reason),
        }


@hooks.register("construct_homepage_panels")
def add_funding_overview_panel(request, panels):
    if selectors.can_view_dashboards(request.user):
        panels.append(FundingOverviewPanel(request.user))
