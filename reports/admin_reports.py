"""The Reports menu's board and funder reports: ask for one, watch it being made, download it, make it again.

Listed under Wagtail's own Reports menu. Who may see which kind is `report_services.reports_for`'s rule, asked by
every view here, the download included.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from funding.admin_views import add_service_error
from funding.fields import QUARTER_CHOICES
from funding.fiscal import FinancialYear
from funding.models import FundingStream
from programmes.services import today
from reports import report_services, selectors
from reports.models import Report

REPORTS_PER_PAGE = 30


class ReportsView(WagtailAdminTemplateMixin):
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if not report_services.report_kinds_for(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]


class ReportIndexView(ReportsView, TemplateView):
    template_name = "reports/admin/report_index.html"
    page_title = "Board and funder reports"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(report_services.reports_for(user=self.request.user), REPORTS_PER_PAGE).get_page(
            self.request.GET.get("p", 1)
        )
        context.update(page=page, reports=page.object_list, new_url=reverse("outturn_reports:new"))
        return context


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label="Report", widget=forms.RadioSelect)
    financial_year = forms.TypedChoiceField(label="Financial year", coerce=int)
    quarter = forms.TypedChoiceField(
        label="Quarter",
        coerce=int,
        empty_value=None,
        required=False,
        help_text="The board pack reports on a quarter; a funder return on a quarter or, left empty, the whole year.",
    )
    stream = forms.ModelChoiceField(
        label="Funding stream",
        queryset=FundingStream.objects.select_related("funder"),
        required=False,
        empty_label="Choose a stream",
        help_text="For a funder return: the stream whose funder it is for.",
    )
    file_format = forms.ChoiceField(label="Format", choices=Report.Format.choices, widget=forms.RadioSelect)

    def __init__(self, *args, kinds: list[str], years: list[FinancialYear], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind, Report.Kind(kind).label) for kind in kinds]
        self.fields["financial_year"].choices = [(year.start_year, year.label) for year in years]
        self.fields["quarter"].choices = [("", "The whole year"), *QUARTER_CHOICES]


class ReportRequestView(ReportsView, FormView):
    template_name = "reports/admin/report_request.html"
    page_title = "Ask for a report"
    form_class = ReportRequestForm

    @cached_property
    def on(self):
        return today()

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("outturn_reports:index"), "label": ReportIndexView.page_title},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "kinds": report_services.report_kinds_for(self.request.user),
            "years": selectors.dashboard_years(on=self.on),
        }

    def get_initial(self):
        quarter = report_services.default_quarter(on=self.on)
        kinds = report_services.report_kinds_for(self.request.user)
        return {
            "kind": kinds[0],
            "financial_year": quarter.financial_year.start_year,
            "quarter": quarter.number,
            "file_format": Report.Format.PDF,
        }

    def form_valid(self, form):
        try:
            report = report_services.report_request(user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{report} asked for. It is made in the background; this page shows when.")
        return redirect("outturn_reports:detail", pk=report.pk)


class ReportDetailView(ReportsView, TemplateView):
    """A report's status. While it is being made the page refreshes itself every few seconds (no script needed)."""

    template_name = "reports/admin/report_detail.html"
    page_title = "Report"
    refresh_seconds = 3

    @cached_property
    def report(self):
        return get_object_or_404(report_services.reports_for(user=self.request.user), pk=self.kwargs["pk"])

    def get_page_subtitle(self):
        return str(self.report)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("outturn_reports:index"), "label": ReportIndexView.page_title},
            {"url": "", "label": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.report
        in_progress = report.status in (Report.Status.QUEUED, Report.Status.RUNNING)
        context.update(report=report, in_progress=in_progress, refresh_seconds=self.refresh_seconds)
        return context

    def post(self, request, pk):
        again = report_services.report_request_again(user=request.user, report=self.report)
        messages.success(request, f"{again} asked for again, from today's figures.")
        return redirect("outturn_reports:detail", pk=again.pk)


class ReportDownloadView(View):
    def get(self, request, pk):
        if not report_services.report_kinds_for(request.user):
            raise PermissionDenied
        report = get_object_or_404(report_services.reports_for(user=request.user), pk=pk)
        if report.status != Report.Status.READY or not report.file:
            raise Http404("This report has not been made.")
        response = FileResponse(
            report.file.open("rb"), as_attachment=True, filename=report_services.report_filename(report)
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
