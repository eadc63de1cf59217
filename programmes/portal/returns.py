"""A return in the provider portal: its task list, four sections, check-your-answers, receipt and evidence files.

Every view reads the return through return_selectors, scoped to the user's organisation (another's is a 404),
and writes through one service; the services decide what is allowed (who, which status, which version).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from programmes import lifecycle, selectors, services
from programmes.models import EvidenceFile
from programmes.portal import return_forms, return_selectors
from programmes.portal.access import ProviderRequiredMixin


class _Loads:
    """Reads what the URL names once the user is let in, before the method is dispatched, so another
    organisation's return is a 404 whatever the method."""

    def dispatch(self, request, *args, **kwargs):
        self.load()
        return super().dispatch(request, *args, **kwargs)


class ReturnMixin(ProviderRequiredMixin, _Loads):
    """The return in the URL as the user may see it, as `self.sheet`."""

    return_kwarg = "pk"

    def load(self) -> return_selectors.ReturnSheet:
        self.sheet = return_selectors.return_sheet(user=self.request.user, pk=self.kwargs[self.return_kwarg])
        return self.sheet

    def get_context_data(self, **kwargs):
        return super().get_context_data(sheet=self.sheet, quarterly_return=self.sheet.quarterly_return, **kwargs)


class ReturnView(ReturnMixin, TemplateView):
    template_name = "portal/return/task_list.html"


def _locked_message(sheet: return_selectors.ReturnSheet) -> str:
    return services.RETURN_LOCKED.format(status=sheet.quarterly_return.get_status_display().lower())


class SectionView(ReturnMixin, TemplateView):
    """One section: its form while the return is open, its answers only once submitted.

    A save over someone else's (a stale version) is refused by the service; the form comes back with what this
    person typed, the return's new version, and a table of the answers now stored that differ from it.
    """

    form_class: type[return_forms.ReturnSectionForm]
    title: str

    def success_url(self) -> str:
        return reverse("portal:return", args=[self.sheet.quarterly_return.pk])

    def make_form(self, data=None, files=None):
        return self.form_class(data, files, sheet=self.sheet, user=self.request.user)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.make_form()))

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST, request.FILES)
        if not self.sheet.editable:
            form.refuse(_locked_message(self.sheet))
        elif form.is_valid():
            try:
                form.save()
            except ValidationError as error:
                if services.RETURN_STALE in error.messages:
                    return self.stale(form)
                form.add_service_error(error)
            else:
                return self.saved(form)
        return self.render_to_response(self.get_context_data(form=form))

    def saved(self, form):
        return redirect(self.success_url())

    def stale(self, form):
        self.load()
        fresh = self.make_form()
        changes = form.changes_from(fresh)
        data = self.request.POST.copy()
        data["version"] = self.sheet.quarterly_return.version
        retry = self.make_form(data, self.request.FILES)
        retry.refuse(services.RETURN_STALE)
        return self.render_to_response(self.get_context_data(form=retry, changes=changes))

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=self.title, **kwargs)


class SpendView(SectionView):
    form_class = return_forms.SpendForm
    template_name = "portal/return/spend.html"
    title = "Spend"


class IndicatorsView(SectionView):
    form_class = return_forms.IndicatorsForm
    template_name = "portal/return/indicators.html"
    title = "Indicators"


class NarrativeView(SectionView):
    form_class = return_forms.NarrativeForm
    template_name = "portal/return/narrative.html"
    title = "Narrative"


class EvidenceView(SectionView):
    form_class = return_forms.EvidenceForm
    template_name = "portal/return/evidence.html"
    title = "Evidence"

    def saved(self, form):
        # Providers often attach several files: back to the list, with the one just added named.
        messages.success(self.request, f"{form.cleaned_data['file'].name} has been uploaded")
        return redirect("portal:return_evidence", pk=self.sheet.quarterly_return.pk)


class CheckView(SectionView):
    """Check your answers, then (a provider approver only) the declaration and submission."""

    form_class = return_forms.SubmitForm
    template_name = "portal/return/check.html"
    title = "Check your answers before submitting the return"

    def success_url(self) -> str:
        return reverse("portal:return_receipt", args=[self.sheet.quarterly_return.pk])

    def stale(self, form):
        # The answers on this page are the changes: show them as they are now, and ask to check and confirm again.
        self.load()
        retry = self.make_form({"version": self.sheet.quarterly_return.version})
        retry.refuse(services.RETURN_STALE)
        return self.render_to_response(self.get_context_data(form=retry))

    def get_context_data(self, **kwargs):
        # The lifecycle says who may submit, and from which statuses; the service checks both again.
        submit = lifecycle.SUBMIT
        can_submit = submit.allows(self.request.user) and submit.allowed_from(self.sheet.quarterly_return.status)
        return super().get_context_data(can_submit=can_submit, **kwargs)


class ReceiptView(ReturnMixin, TemplateView):
    template_name = "portal/return/receipt.html"

    def get(self, request, *args, **kwargs):
        if not self.sheet.is_submitted:
            raise Http404("This return has not been submitted.")
        return super().get(request, *args, **kwargs)


def _evidence(view) -> EvidenceFile:
    return selectors.evidence_file_get(user=view.request.user, return_pk=view.kwargs["return_pk"], pk=view.kwargs["pk"])


class EvidenceDownloadView(ProviderRequiredMixin, _Loads, View):
    """A file, only through the scoped selectors: another organisation's is a 404."""

    def load(self) -> None:
        self.evidence = _evidence(self)

    def get(self, request, *args, **kwargs):
        evidence = self.evidence
        response = FileResponse(
            evidence.file.open("rb"),
            as_attachment=True,
            filename=evidence.original_name,
            content_type=evidence.content_type,
        )
        # Never rendered by the browser as anything but a download of the type the content was checked to be.
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "private, no-store"
        return response


class EvidenceDeleteView(ReturnMixin, TemplateView):
    template_name = "portal/return/evidence_delete.html"
    return_kwarg = "return_pk"

    def load(self) -> None:
        super().load()
        self.evidence = _evidence(self)

    def get_context_data(self, **kwargs):
        return super().get_context_data(evidence=self.evidence, **kwargs)

    def post(self, request, *args, **kwargs):
        evidence = self.evidence
        try:
            services.evidence_remove(evidence=evidence, user=request.user)
        except ValidationError as error:
            return self.render_to_response(self.get_context_data(errors=error.messages))
        messages.success(request, f"{evidence.original_name} has been deleted")
        return redirect("portal:return_evidence", pk=self.sheet.quarterly_return.pk)
