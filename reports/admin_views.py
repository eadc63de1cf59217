"""The office's dashboards in the staff back office: funding overview, drill-down and returns matrix.

Each view reads one selector in reports.selectors and hands its result to a template; the links from each figure
to the rows that make it up are built here, in one place.
"""

import csv
from urllib.parse import urlencode

import django_filters
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from funding.filters import long_choice_filter, providers, streams
from funding.fiscal import FinancialYear
from funding.forms import FIRST_YEAR, LAST_YEAR
from programmes.filters import programmes
from programmes.models import Grant, QuarterlyReturn
from programmes.services import today
from reports import selectors
from reports.value_for_money import (
    CSV_COLUMNS,
    value_for_money_csv_rows,
    value_for_money_get,
)


def _year_from(value: str | int | None, default: FinancialYear) -> FinancialYear:
    if value is None or value == "":
        return default
    text = str(value)
    # Checked before any date is built from it: year -1 or forty nines would overflow the date arithmetic.
    if not (text.isascii() and text.isdigit() and len(text) == 4 and FIRST_YEAR <= int(text) <= LAST_YEAR):
        raise Http404("No such financial year")
    return FinancialYear(int(text))


def listing_url(name: str, **filters) -> str:
    """A back-office listing filtered to the rows behind a figure."""
    query = urlencode({key: value for key, value in filters.items() if value is not None})
    return f"{reverse(name)}?{query}" if query else reverse(name)


class DashboardView(WagtailAdminTemplateMixin, TemplateView):
    """For the roles that read dashboards: commissioning and finance officers and board viewers."""

    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        if not selectors.can_view_dashboards(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def on(self):
        return today()

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]


class FundingOverviewView(DashboardView):
    template_name = "reports/admin/funding_overview.html"
    page_title = "Funding overview"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = _year_from(self.request.GET.get("year"), FinancialYear.from_date(self.on))
        overview = selectors.funding_overview(user=self.request.user, year=year, on=self.on)
        context.update(overview=overview, rows=[stream_links(row) for row in overview.rows])
        return context


def stream_links(row: selectors.StreamYear) -> dict:
    """Where each of a stream's figures for a year comes from."""
    stream, year = row.stream.pk, row.year.start_year
    common = {"stream": stream, "financial_year": year}
    return {
        "row": row,
        "detail": reverse("outturn_dashboards:stream_year", args=(stream, year)),
        "allocated": listing_url("outturn_allocations:index", stream=stream, financial_year=year),
        "paid": listing_url("outturn_payments:index", status="paid", **common),
        "spent": listing_url("outturn_returns:index", status=QuarterlyReturn.Status.APPROVED, **common),
        "submitted": listing_url("outturn_returns:index", status=QuarterlyReturn.Status.SUBMITTED, **common),
        "overdue": listing_url("outturn_returns:index", overdue="true", **common),
    }


class StreamYearView(DashboardView):
    template_name = "reports/admin/stream_year.html"
    page_title = "Funding stream"

    @cached_property
    def detail(self):
        return selectors.stream_year_get(
            user=self.request.user,
            stream_pk=self.kwargs["pk"],
            year=_year_from(self.kwargs["year"], None),
            on=self.on,
            page=self.request.GET.get("p", 1),
        )

    def get_page_subtitle(self):
        row = self.detail.stream_year
        return f"{row.stream} {row.year}"

    def get_breadcrumbs_items(self):
        overview = reverse("outturn_dashboards:overview")
        year = self.detail.stream_year.year
        return self.breadcrumbs_items + [
            {"url": f"{overview}?year={year.start_year}", "label": f"Funding overview {year}"},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        detail = self.detail
        context.update(
            detail=detail,
            links=stream_links(detail.stream_year),
            grants=[
                {"row": row, "url": reverse("outturn_dashboards:grant_quarters", args=(row.grant.pk,))}
                for row in detail.grants
            ],
        )
        return context


class GrantQuartersView(DashboardView):
    template_name = "reports/admin/grant_quarters.html"
    page_title = "Grant by quarter"

    @cached_property
    def quarters(self):
        return selectors.grant_quarters_get(user=self.request.user, grant_pk=self.kwargs["pk"], on=self.on)

    def get_page_subtitle(self):
        return self.quarters.grant.identifier

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("outturn_dashboards:overview"), "label": "Funding overview"},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        grant = self.quarters.grant
        context.update(
            quarters=self.quarters,
            grant_url=reverse("outturn_grants:inspect", args=(grant.pk,)),
            payments_url=listing_url("outturn_payments:index", q=grant.identifier),
            years=[
                {
                    "year": year,
                    "rows": [(row, row.quarterly_return and return_url(row.quarterly_return)) for row in year.rows],
                }
                for year in self.quarters.years
            ],
        )
        return context


def return_url(quarterly_return: QuarterlyReturn) -> str:
    """A return under review opens on the review screen; any other on its record."""
    if quarterly_return.status in (QuarterlyReturn.Status.SUBMITTED, QuarterlyReturn.Status.APPROVED):
        return reverse("outturn_review:review", args=(quarterly_return.pk,))
    return reverse("outturn_returns:inspect", args=(quarterly_return.pk,))


class ReturnsMatrixFilterSet(WagtailFilterSet):
    stream = django_filters.ModelChoiceFilter(
        field_name="charges__stream", queryset=streams, label="Funding stream", distinct=True, empty_label="All"
    )
    programme = long_choice_filter(queryset=programmes, label="Programme", empty_label="All")
    provider = long_choice_filter(queryset=providers, label="Provider", empty_label="All")

    class Meta:
        model = Grant
        fields = []


class ReturnsMatrixView(DashboardView):
    template_name = "reports/admin/returns_matrix.html"
    page_title = "Returns matrix"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = _year_from(self.request.GET.get("year"), FinancialYear.from_date(self.on))
        filters = ReturnsMatrixFilterSet(self.request.GET, queryset=Grant.objects.all())
        matrix = selectors.returns_matrix(
            user=self.request.user,
            year=year,
            on=self.on,
            grants=filters.qs if filters.is_valid() else Grant.objects.none(),
            page=self.request.GET.get("p", 1),
        )
        query = self.request.GET.copy()
        query.pop("p", None)
        context.update(
            matrix=matrix,
            filters=filters,
            years=selectors.dashboard_years(on=self.on),
            page_query=query.urlencode(),
            rows=[
                {
                    "grant": row.grant,
                    "url": reverse("outturn_dashboards:grant_quarters", args=(row.grant.pk,)),
                    "cells": [
                        {"return": cell, "url": return_url(cell), "overdue": cell.is_overdue(self.on)} if cell else None
                        for cell in row.cells
                    ],
                }
                for row in matrix.rows
            ],
        )
        return context


class LimitsPassedView(DashboardView):
    """Every limit the money has passed, newest year first, each in words with what was recorded about it."""

    template_name = "reports/admin/limits_passed.html"
    page_title = "Limits passed"
    header_icon = "warning"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["limits"] = [
            {
                "limit": limit,
                "url": reverse("outturn_dashboards:grant_quarters", args=(limit.grant_id,))
                if limit.grant_id
                else reverse("outturn_dashboards:stream_year", args=(limit.stream_id, limit.year.start_year)),
            }
            for limit in selectors.limits_passed_list(user=self.request.user)
        ]
        return context


class ProgrammeProgressIndexView(DashboardView):
    template_name = "reports/admin/programme_progress_index.html"
    page_title = "Programme progress"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["programmes"] = [
            {"programme": programme, "url": reverse("outturn_dashboards:programme_progress", args=(programme.pk,))}
            for programme in selectors.programme_progress_list(user=self.request.user)
        ]
        return context


class ProgrammeProgressView(DashboardView):
    template_name = "reports/admin/programme_progress.html"
    page_title = "Programme progress"

    @cached_property
    def progress(self):
        year = _year_from(self.request.GET.get("year"), FinancialYear.from_date(self.on))
        return selectors.programme_progress_get(user=self.request.user, pk=self.kwargs["pk"], year=year)

    def get_page_subtitle(self):
        return str(self.progress.programme)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("outturn_dashboards:programme_progress_index"), "label": self.page_title},
            {"url": "", "label": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(progress=self.progress, years=selectors.dashboard_years(on=self.on))
        return context


class ValueForMoneyView(DashboardView):
    """Each output's cost per unit in a financial year, by programme, provider and quarter; as CSV with ?format=csv."""

    template_name = "reports/admin/value_for_money.html"
    page_title = "Value for money"
    header_icon = "decimal"

    @cached_property
    def value_for_money(self):
        year = _year_from(self.request.GET.get("year"), FinancialYear.from_date(self.on))
        return value_for_money_get(user=self.request.user, year=year)

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.csv_response()
        return super().get(request, *args, **kwargs)

    def csv_response(self) -> HttpResponse:
        vfm = self.value_for_money
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="value-for-money-{vfm.year.start_year}.csv"'
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(value_for_money_csv_rows(vfm))
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        vfm = self.value_for_money
        context.update(
            vfm=vfm,
            years=selectors.dashboard_years(on=self.on),
            csv_url=listing_url("outturn_dashboards:value_for_money", year=vfm.year.start_year, format="csv"),
        )
        return context
