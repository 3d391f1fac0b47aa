from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("units", views.UnitViewSet, basename="unit")
router.register("items", views.ItemViewSet, basename="item")
router.register("cases", views.CaseViewSet, basename="case")
router.register("case-events", views.CaseEventViewSet, basename="case-event")
router.register("evaluations", views.EvaluationViewSet, basename="evaluation")
router.register("complaints", views.ComplaintViewSet, basename="complaint")

app_name = "api"
urlpatterns = [
    *router.urls,
    path("applicant-contacts/", views.ApplicantContactPushView.as_view(), name="applicant-contacts"),
]
