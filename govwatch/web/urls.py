from django.contrib.auth import views as auth_views
from django.urls import path

from .views import cases, home, items, units

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("units/", units.unit_list, name="unit-list"),
    path("units/<str:code>/", units.unit_detail, name="unit-detail"),
    path("items/", items.item_list, name="item-list"),
    path("cases/", cases.case_list, name="case-list"),
    # Case numbers come from other systems and may hold a slash.
    path("cases/<path:case_no>/", cases.case_detail, name="case-detail"),
]
