from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("returns/<int:pk>/receipt.pdf", views.ReturnReceiptPdfView.as_view(), name="return_receipt_pdf"),
]
