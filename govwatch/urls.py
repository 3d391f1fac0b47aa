from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from govwatch.api.views import DocsView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("govwatch.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", DocsView.as_view(url_name="schema"), name="api-docs"),
    path("supervision/", include("govwatch.supervision.urls")),
    path("evaluations/", include("govwatch.evaluations.urls")),
    path("reports/", include("govwatch.reports.urls")),
    path("rectification/", include("govwatch.rectification.urls")),
    path("halls/", include("govwatch.hallchecks.urls")),
    path("integrity/", include("govwatch.integrity.urls")),
    path("e/", include("govwatch.public.urls")),
    path("", include("govwatch.web.urls")),
]
