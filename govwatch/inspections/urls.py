from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    path("", views.inspection_list, name="inspection-list"),
    path("new/", views.inspection_new, name="inspection-new"),
    path("raise/<int:finding>/", views.raise_finding, name="raise"),
    path("<int:pk>/", views.inspection_detail, name="inspection-detail"),
    path("<int:pk>/problem/", views.add_problem, name="add-problem"),
    path("<int:pk>/issue/", views.issue, name="issue"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/return/", views.send_back, name="return"),
    path("<int:pk>/form.docx", views.form_document, name="form-document"),
]
