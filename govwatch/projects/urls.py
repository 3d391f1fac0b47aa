from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/letter/", views.letter_new, name="letter-new"),
    path("milestones/<int:pk>/", views.reach_milestone, name="milestone"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("letters/", views.letter_list, name="letter-list"),
    path("letters/<int:pk>/", views.letter_detail, name="letter-detail"),
    path("letters/<int:pk>/edit/", views.letter_edit, name="letter-edit"),
    path("letters/<int:pk>/issue/", views.letter_issue, name="letter-issue"),
    path("letters/<int:pk>/reply/", views.letter_reply, name="letter-reply"),
    path("letters/<int:pk>/close/", views.letter_close, name="letter-close"),
    path("letters/<int:pk>/return/", views.letter_return, name="letter-return"),
    path("letters/<int:pk>/letter.docx", views.letter_document, name="letter-document"),
]
