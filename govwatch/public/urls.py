from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    # Staff pages first: a token never has a slash, these paths do.
    path("notice/<path:case_no>/", views.notice, name="notice"),
    path("sheet/", views.sheet, name="sheet"),
    path("w/<str:token>/", views.window, name="window"),
    path("w/<str:token>/qr.svg", views.window_qr, name="window-qr"),
    path("<str:token>/", views.evaluate, name="evaluate"),
    path("<str:token>/thanks/", views.thanks, name="thanks"),
    path("<str:token>/qr.svg", views.link_qr, name="qr"),
]
