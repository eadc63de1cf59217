"""URLs of a return in the portal: its sections, check-your-answers, submission, receipt and evidence."""

from django.urls import path

from programmes.portal import returns

urlpatterns = [
    path("<int:pk>/", returns.ReturnView.as_view(), name="return"),
    path("<int:pk>/spend/", returns.SpendView.as_view(), name="return_spend"),
    path("<int:pk>/indicators/", returns.IndicatorsView.as_view(), name="return_indicators"),
    path("<int:pk>/narrative/", returns.NarrativeView.as_view(), name="return_narrative"),
    path("<int:pk>/evidence/", returns.EvidenceView.as_view(), name="return_evidence"),
    path("<int:return_pk>/evidence/<int:pk>/", returns.EvidenceDownloadView.as_view(), name="evidence_download"),
    path("<int:return_pk>/evidence/<int:pk>/delete/", returns.EvidenceDeleteView.as_view(), name="evidence_delete"),
    path("<int:pk>/check/", returns.CheckView.as_view(), name="return_check"),
    path("<int:pk>/receipt/", returns.ReceiptView.as_view(), name="return_receipt"),
]
