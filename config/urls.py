from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms.views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("admin/", include(wagtailadmin_urls)),
    path("portal/", include("programmes.portal.urls")),
    path("reports/", include("reports.urls")),
    path("documents/", include(wagtaildocs_urls)),
    path("", include(wagtail_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
