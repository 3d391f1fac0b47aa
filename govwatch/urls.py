from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from govwatch.api.views import DocsView
from govwatch.imports import pages as import_pages
from govwatch.ops import views as ops_views

# Done at Django's setup unless a console command skipped it (govwatch.web.apps.DISCOVER_ADMIN).
admin.autodiscover()

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("govwatch.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", DocsView.as_view(url_name="schema"), name="api-docs"),
    path("supervision/", include("govwatch.supervision.urls")),
    path("prediction/", include("govwatch.prediction.urls")),
    path("evaluations/", include("govwatch.evaluations.urls")),
    path("complaints/", include("govwatch.complaints.urls")),
    path("clues/", include("govwatch.clues.urls")),
    path("reports/", include("govwatch.reports.urls")),
    path("projects/", include("govwatch.projects.urls")),
    path("random/", include("govwatch.randomchecks.urls")),
    path("open/random/", include("govwatch.randomchecks.public_urls")),
    path("regulation/", include("govwatch.regulation.urls")),
    path("checks/", include("govwatch.checks.urls")),
    path("inspections/", include("govwatch.inspections.urls")),
    path("accountability/", include("govwatch.accountability.urls")),
    path("exposure/", include("govwatch.accountability.public_urls")),
    path("windows/", include("govwatch.windows.urls")),
    path("kiosks/", include("govwatch.kiosks.urls")),
    path("rectification/upload/", import_pages.rectification_upload, name="rectification-upload"),
    path("rectification/", include("govwatch.rectification.urls")),
    path("halls/", include("govwatch.hallchecks.urls")),
    path("integrity/", include("govwatch.integrity.urls")),
    path("e/", include("govwatch.public.urls")),
    # Pages without GovWatch's icon link (the admin's) make browsers ask for /favicon.ico.
    path("favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}web/favicon.svg", permanent=True)),
    path("healthz", ops_views.live, name="healthz"),
    path("healthz/db", ops_views.database, name="healthz-db"),
    path("", include("govwatch.web.urls")),
]

# GovWatch's own answers to a bad request and a server error: Chinese pages, JSON under /api/.
handler400 = "govwatch.web.views.errors.bad_request"
handler500 = "govwatch.web.views.errors.server_error"
