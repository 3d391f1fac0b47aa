from django.urls import path

from . import views

app_name = "hallchecks"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("templates/", views.templates, name="templates"),
    path("templates/new/", views.template_edit, name="template-new"),
    path("templates/<int:pk>/", views.template_edit, name="template-edit"),
]
