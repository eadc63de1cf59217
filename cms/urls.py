from django.urls import path, re_path

from cms import views

app_name = "cms"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("data/indicators/<slug:slug>.csv", views.indicator_csv, name="indicator_csv"),
    path("data/funding-streams/<slug:slug>.csv", views.stream_csv, name="stream_csv"),
    path("data/programmes/<slug:slug>-money.csv", views.programme_money_csv, name="programme_money_csv"),
    # Beside a programme's page: /programmes/navigator-programme/factsheet.pdf (Wagtail serves no dotted path).
    re_path(r"^(?P<page_path>(?:[\w\-]+/)+)factsheet\.pdf$", views.programme_factsheet, name="programme_factsheet"),
]
