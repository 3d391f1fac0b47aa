from django.urls import path

from . import complaint_views, views

app_name = "public"

urlpatterns = [
    # Staff pages first: a token never has a slash, these paths do.
    path("notice/<path:case_no>/", views.notice, name="notice"),
    path("sheet/", views.sheet, name="sheet"),
    path("complaint/", complaint_views.complaint, name="complaint"),
    path("complaint/w/<str:window>/", complaint_views.complaint, name="complaint-window"),
    path("complaint/w/<str:window>/qr.svg", complaint_views.window_qr, name="complaint-window-qr"),
    path("complaint/r/<str:token>/", complaint_views.receipt, name="complaint-receipt"),
    path("clue/", complaint_views.clue, name="clue"),
    path("w/<str:token>/", views.window, name="window"),
    path("c/<str:case_no>/", views.short, name="short"),
    path("w/<str:token>/qr.svg", views.window_qr, name="window-qr"),
    path("<str:token>/", views.evaluate, name="evaluate"),
    path("<str:token>/thanks/", views.thanks, name="thanks"),
    path("<str:token>/qr.svg", views.link_qr, name="qr"),
]
