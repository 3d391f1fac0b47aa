from django.contrib.auth import views as auth_views
from django.urls import path

from govwatch.accounts.forms import LoginForm

from .views import audit, cases, home, items, reveal, units

urlpatterns = [
    path("", home.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
        name="login",
    ),
    # POST only (Django's LogoutView refuses GET): a link or an image cannot sign anyone out.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("units/", units.unit_list, name="unit-list"),
    path("units/<str:code>/", units.unit_detail, name="unit-detail"),
    path("items/", items.item_list, name="item-list"),
    path("cases/", cases.case_list, name="case-list"),
    # Case numbers come from other systems and may hold a slash.
    path("cases/<path:case_no>/", cases.case_detail, name="case-detail"),
    path("reveal/<slug:what>/<path:key>/", reveal.reveal, name="reveal"),
    path("reveal-text/<str:label>/<int:pk>/<slug:field>/", reveal.reveal_text, name="reveal-text"),
    path("audit/", audit.audit_log, name="audit"),
]
