from django.urls import path

from . import views

app_name = "regulation"

urlpatterns = [
    path("", views.figures_page, name="figures"),
    path("items/", views.item_list, name="items"),
]
