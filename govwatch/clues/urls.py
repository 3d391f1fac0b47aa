from django.urls import path

from . import views

app_name = "clues"

urlpatterns = [
    path("", views.clue_list, name="list"),
    path("new/", views.clue_new, name="new"),
    path("<int:pk>/", views.clue_detail, name="detail"),
    path("<int:pk>/assess/", views.assess, name="assess"),
    path("<int:pk>/transfer/", views.transfer, name="transfer"),
    path("<int:pk>/conclude/", views.conclude, name="conclude"),
    path("<int:pk>/transfer.docx", views.transfer_document, name="document"),
]
