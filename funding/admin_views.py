"""Building blocks for the staff back office (Wagtail admin) that every app's viewsets share.

Two kinds of viewset:

- `SetupModelViewSet` for the set-up data officers keep (streams, grants, indicators…): listed, searched,
  filtered, inspected and edited by the roles whose model permissions allow it, saved through the app's
  service so the same rules hold here as everywhere, with every save in the history. Nothing is deleted
  from the admin: money records keep their history.
- `ReadOnlyModelViewSet` for what changes only through its workflow (returns, payments, indicator values,
  variations): listed and inspected, never added, edited or deleted here.
"""

import tempfile

from django.contrib.admin.utils import quote
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from djmoney.money import Money
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.coreutils import multigetattr
from wagtail.log_actions import log
from wagtail.permissions import policy_registry
from wagtail.users.views.users import IndexView as UserIndexView
from wagtail.users.views.users import UserViewSet

from funding.admin_forms import OutturnUserCreationForm, OutturnUserEditForm
from funding.filters import OutturnUserFilterSet
from funding.forms import BoundedChildFormSet
from funding.models import User
from funding.money import format_gbp
from funding.services import stream_unallocated

WRITE_PERMISSIONS = frozenset({"add", "change", "delete"})
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Listing columns ------------------------------------------------------------------------------------------


class MoneyColumn(Column):
    """An amount as a finance officer reads it: £1,234,567.89."""

    def get_value(self, instance):
        value = super().get_value(instance)
        return "" if value is None else format_gbp(value)


class FlagColumn(Column):
    """Shows a short label where a condition holds (an override, an overdue return) and nothing otherwise.

    Without a `true_label` the value is the label itself, for a flag that says which of several things holds.
    """

    cell_template_name = "funding/admin/tables/flag_cell.html"

    def __init__(self, name, true_label=None, **kwargs):
        super().__init__(name, **kwargs)
        self.true_label = true_label

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        value = context["raw_value"]
        context["label"] = (self.true_label if value else "") if self.true_label else value
        return context


# --- Menu items -------------------------------------------------------------------------------------------------


def menu_item_shown_to(check) -> type[MenuItem]:
    """A menu item shown only to users for whom `check(user)` holds. A plain ViewSet's item is shown to everyone
    who reaches the admin; a ModelViewSet's asks its model's permissions, which a custom view has to ask itself."""

    def is_shown(item, request):
        return check(request.user)

    return type("CheckedMenuItem", (MenuItem,), {"is_shown": is_shown})


# --- Errors from services -------------------------------------------------------------------------------------


def add_service_error(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names when the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item.messages if hasattr(item, "messages") else item)
    else:
        form.add_error(None, error)


# --- Views ----------------------------------------------------------------------------------------------------


class SelectorIndexMixin:
    """Listings read through the app's selector, which keeps the joins in one place (queries don't grow)."""

    selector = None

    def get_base_queryset(self):
        if self.selector is not None:
            return self.selector(user=self.request.user)
        return super().get_base_queryset()


def export_value(item, accessor):
    """A value for an export: an accessor is a function of the row, or a dotted path that stops at an empty link
    (a payment no return released) rather than failing."""
    if callable(accessor):
        return accessor(item)
    head, _, rest = accessor.partition(".")
    value = multigetattr(item, head)
    return value if value is None or not rest else export_value(value, rest)


class _ChunkedRows:
    """A queryset that Wagtail's export reads in chunks (it iterates it, and asks its `model` for the headings)."""

    def __init__(self, queryset, chunk_size: int):
        self.queryset, self.model, self.chunk_size = queryset, queryset.model, chunk_size

    def __iter__(self):
        return self.queryset.iterator(chunk_size=self.chunk_size)


# Wagtail orders a header's buttons by priority, then label: the downloads come together, after the listing's own.
DOWNLOAD_BUTTON_PRIORITY = 1100


class StreamingExportMixin:
    """Listing exports (`list_export`) that hold one chunk of rows in memory, however many rows the filter selects.

    Wagtail's export builds the page's context first, which counts the rows with len() and so loads all of
    them, and writes XLSX into memory. Here an export skips the context and reads the filtered, sorted queryset in
    chunks; CSV streams as it is written, and XLSX goes through openpyxl's write-only workbook (which keeps rows
    on disk) into a temporary file that is streamed back. Money is written as a number, a flag as Yes or No.

    A listing only declares its `list_export` columns (and headings); it then offers "CSV" and "XLSX" as buttons in
    its header, each exporting what the listing shows: the same filters, search and order (Wagtail re-renders the
    header's buttons with the results each time a filter changes). The labels are short so that the header keeps
    the listing's title in full beside them at 1280 px; each button's name says the rest ("Download CSV of the
    payments listed") and holds the label, which a speech user reads off the button to press it.
    """

    export_chunk_size = 1000
    custom_value_preprocess = {
        **generic.IndexView.custom_value_preprocess,
        Money: {fmt: (lambda money: money.amount) for fmt in generic.IndexView.FORMATS},
        bool: {fmt: (lambda flag: "Yes" if flag else "No") for fmt in generic.IndexView.FORMATS},
    }
    # Wagtail puts the downloads in the header's "…" menu, where nobody looks for them: ours are buttons of their own.
    show_export_buttons = False

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.is_export = self.is_export and bool(self.list_export)

    def get(self, request, *args, **kwargs):
        if self.is_export:
            return self.as_spreadsheet(self.get_queryset(), request.GET["export"])
        return super().get(request, *args, **kwargs)

    def as_spreadsheet(self, queryset, spreadsheet_format):
        # A listing built in memory (the overrides, from two querysets) is written as it is.
        if isinstance(queryset, QuerySet):
            queryset = _ChunkedRows(queryset, self.export_chunk_size)
        return super().as_spreadsheet(queryset, spreadsheet_format)

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.list_export:
            buttons += [
                HeaderButton(
                    spreadsheet_format,
                    url=url,
                    icon_name="download",
                    attrs={"aria-label": f"Download {spreadsheet_format} of the {self.verbose_name_plural} listed"},
                    priority=DOWNLOAD_BUTTON_PRIORITY,
                )
                for spreadsheet_format, url in (("CSV", self.csv_export_url), ("XLSX", self.xlsx_export_url))
            ]
        return buttons

    def get_export_url(self, format):
        # Each change of filter or search re-renders the header's buttons from the results view, whose address is
        # Wagtail's results fragment ("results/?…&_w_filter_fragment=1"): the link is the listing's own address.
        params = self.request.GET.copy()
        params.pop("_w_filter_fragment", None)
        params["export"] = format
        return f"{self.index_url}?{params.urlencode()}"

    def to_row_dict(self, item):
        return {accessor: export_value(item, accessor) for accessor in self.list_export}

    def write_xlsx_response(self, queryset):
        output = tempfile.TemporaryFile()  # noqa: SIM115 (the response reads, then closes, it)
        self.write_xlsx(queryset, output)
        output.seek(0)
        return FileResponse(output, as_attachment=True, filename=f"{self.get_filename()}.xlsx", content_type=XLSX)


#: Wagtail's listing results with the table in a region that scrolls sideways, so no column is cut off.
LISTING_RESULTS_TEMPLATE = "funding/admin/index_results.html"


class SetupIndexView(StreamingExportMixin, SelectorIndexMixin, generic.IndexView):
    results_template_name = LISTING_RESULTS_TEMPLATE


class ReadOnlyIndexView(StreamingExportMixin, SelectorIndexMixin, generic.IndexView):
    results_template_name = LISTING_RESULTS_TEMPLATE

    def user_has_permission(self, permission):
        # Even a superuser's "add" or "change" must not offer a generic form for workflow data.
        return permission not in WRITE_PERMISSIONS and super().user_has_permission(permission)

    def get_list_more_buttons(self, instance):
        # A record here is only read: the one action a row could offer is "Inspect", which its title links to
        # already. Wagtail put it in a "More options" menu on every row, a dropdown with its own script each.
        return []


class ServiceSaveMixin:
    """Save through a service: the form's unsaved instance, with its inline children still in memory, is handed
    to the service, which applies the rules and saves. A rule it refuses comes back as a form error and nothing
    is changed."""

    save_service = None
    log_action = None

    def save_instance(self):
        if self.save_service is None:
            return super().save_instance()
        instance = self.form.save(commit=False)
        instance = self.save_service(instance=instance, user=self.request.user, form=self.form)
        self.form.save_m2m()
        log(instance=instance, action=self.log_action, user=self.request.user, content_changed=self.form.has_changed())
        return instance

    def form_valid(self, form):
        try:
            # The generic view saves inside its own atomic block, so a refusal rolls back whatever was written.
            return super().form_valid(form)
        except ValidationError as error:
            add_service_error(form, error)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class MoneyInspectMixin:
    """Inspect views show money the way every other screen does."""

    def get_field_display_value(self, field_name, field):
        value = getattr(self.object, field_name, None)
        if isinstance(value, Money):
            return format_gbp(value)
        return super().get_field_display_value(field_name, field)


class SetupCreateView(ServiceSaveMixin, generic.CreateView):
    log_action = "wagtail.create"


class SetupEditView(ServiceSaveMixin, generic.EditView):
    log_action = "wagtail.edit"


class SetupInspectView(MoneyInspectMixin, generic.InspectView):
    """Inspect a record read through its selector, with a link to its history in the header."""

    object_selector = None
    history_url_name = None

    def get_object(self, queryset=None):
        if self.object_selector is not None:
            return self.object_selector(user=self.request.user, pk=self.pk)
        return super().get_object(queryset)

    def get_history_url(self):
        if self.history_url_name:
            return reverse(self.history_url_name, args=(quote(self.object.pk),))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history_url"] = self.get_history_url()
        return context


class ViewerHistoryView(history.HistoryView):
    """History for anyone who may see the record, not only those who may change it (finance, board)."""

    any_permission_required = ["add", "change", "delete", "view"]

    def get_edit_url(self, instance):
        if self.edit_url_name and self.user_has_permission("change"):
            return reverse(self.edit_url_name, args=(quote(instance.pk),))

    @cached_property
    def header_buttons(self):
        if edit_url := self.get_edit_url(self.object):
            return [HeaderButton(label="Edit", url=edit_url, icon_name="edit")]
        return []


# --- Viewsets -------------------------------------------------------------------------------------------------


class InspectURLFinder(ModelAdminURLFinder):
    """Where the admin links a record that is never edited here (the site history, a user's history): its inspect
    view, for whoever may view it. Wagtail's own finder reverses the viewset's "edit" URL, which a read-only viewset
    does not route, so any log entry of a payment, return or allocation broke the superuser's site history."""

    def get_edit_url(self, instance):
        policy = policy_registry.get(instance)
        if self.user and policy and not policy.user_has_any_permission_for_instance(self.user, ["view"], instance):
            return None
        return self.construct_edit_url(instance)


class OutturnModelViewSet(ModelViewSet):
    """What both kinds of viewset share: inspect and history for every office role, no copy, no delete."""

    inspect_view_enabled = True
    copy_view_enabled = False
    index_view_class = SetupIndexView
    inspect_view_class = SetupInspectView
    history_view_class = ViewerHistoryView
    #: Reads the listing: a function (user) -> QuerySet, normally the app's selector.
    list_selector = None
    #: Reads one record for the inspect view: a function (user, pk) -> instance.
    inspect_selector = None
    #: URL names a viewset offers; the generic ones not listed here are not routed at all.
    routes = ("index", "index_results", "history", "history_results", "inspect")

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        for name in ("add", "edit", "delete", "usage"):
            if name not in self.routes:
                view_kwargs[f"{name}_url_name"] = None
        return view_kwargs

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(selector=self.list_selector, **kwargs)

    @property
    def url_finder_class(self):
        if "edit" in self.routes:
            return super().url_finder_class
        return type("_InspectURLFinder", (InspectURLFinder,), {"edit_url_name": self.get_url_name("inspect")})

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            object_selector=self.inspect_selector, history_url_name=self.get_url_name("history"), **kwargs
        )

    def get_urlpatterns(self):
        # Built here rather than filtered from ModelViewSet's list, which would construct (and so need a form
        # for) every view, even ones a read-only viewset never routes.
        conv = self.pk_path_converter
        routes = {
            "index": "",
            "index_results": "results/",
            "add": "new/",
            "edit": f"edit/<{conv}:pk>/",
            "history": f"history/<{conv}:pk>/",
            "history_results": f"history-results/<{conv}:pk>/",
            "inspect": f"inspect/<{conv}:pk>/",
            "usage": f"usage/<{conv}:pk>/",
        }
        return [path(routes[name], getattr(self, f"{name}_view"), name=name) for name in self.routes]


class BoundedRowsObjectList(ObjectList):
    """The panels of a set-up form, whose inline rows (InlinePanel) are BoundedChildFormSets: their posted counts and
    ids are believed only when they fit what is saved (funding/forms.py)."""

    def get_form_options(self):
        options = super().get_form_options()
        _bound_rows(options.get("formsets"))
        return options


def _bound_rows(formsets: dict | None) -> None:
    for formset_options in (formsets or {}).values():
        formset_options.setdefault("formset", BoundedChildFormSet)
        _bound_rows(formset_options.get("formsets"))


class SetupModelViewSet(OutturnModelViewSet):
    """Set-up data, edited by the roles whose model permissions allow it and saved through a service."""

    add_view_class = SetupCreateView
    edit_view_class = SetupEditView
    # "usage" lists what refers to a record; Wagtail offers it beside the edit form, to those who may edit.
    routes = OutturnModelViewSet.routes + ("add", "edit", "usage")
    #: The form the panels build on, e.g. one that narrows a people field to the office's users.
    base_form_class = None

    #: A method (instance, user, form) -> instance that saves through the app's service, which holds the rules.
    save_through_service = None

    def get_edit_handler(self):
        if hasattr(self, "panels"):
            return BoundedRowsObjectList(self.panels, base_form_class=self.base_form_class).bind_to_model(self.model)
        return super().get_edit_handler()

    def _service_kwargs(self):
        return {"save_service": self.save_through_service} if self.save_through_service else {}

    def get_add_view_kwargs(self, **kwargs):
        return super().get_add_view_kwargs(**self._service_kwargs(), **kwargs)

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(**self._service_kwargs(), **kwargs)


class ReadOnlyModelViewSet(OutturnModelViewSet):
    """Workflow data: listed and inspected here, changed only through its workflow screens and services."""

    index_view_class = ReadOnlyIndexView


def extra_route(viewset, route: str, view, name: str):
    """A URL pattern for a viewset's own extra view (an action beside the generic ones)."""
    conv = viewset.pk_path_converter
    return path(f"{route}/<{conv}:pk>/", view, name=name)


# --- Funding streams ------------------------------------------------------------------------------------------


class StreamInspectView(SetupInspectView):
    """A stream with its allocations by year and what is not yet allocated."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        allocations = list(self.object.allocations.all())
        context["allocations"] = [
            {"year": allocation.fy.label, "amount": format_gbp(allocation.amount)} for allocation in allocations
        ]
        context["unallocated"] = format_gbp(stream_unallocated(stream=self.object, allocations=allocations))
        return context


# --- Users ----------------------------------------------------------------------------------------------------


def _role_names(user) -> str:
    return ", ".join(sorted(group.name for group in user.groups.all()))


class OutturnUserIndexView(StreamingExportMixin, UserIndexView):
    list_export = ["email", "first_name", "last_name", "organisation.name", _role_names, "is_active", "last_login"]
    export_headings = {"organisation.name": "Organisation", _role_names: "Roles", "is_active": "Active"}
    export_filename = "users"

    @cached_property
    def columns(self):
        columns = super().columns
        for column in columns:
            if column.name == User.USERNAME_FIELD:
                column.label = "Email address"
        position = next(i for i, column in enumerate(columns) if column.name == User.USERNAME_FIELD) + 1
        columns.insert(position, Column("organisation", label="Organisation", sort_key="organisation__name"))
        columns.insert(position + 1, Column("roles", accessor=_role_names, label="Roles"))
        return columns

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("organisation").prefetch_related("groups")


class OutturnUserViewSet(UserViewSet):
    """Wagtail's user admin, for users who sign in with an email address and belong to an organisation."""

    index_view_class = OutturnUserIndexView
    filterset_class = OutturnUserFilterSet
    create_template_name = "funding/admin/users/create.html"
    edit_template_name = "funding/admin/users/edit.html"

    def get_form_class(self, for_update=False):
        return OutturnUserEditForm if for_update else OutturnUserCreationForm
