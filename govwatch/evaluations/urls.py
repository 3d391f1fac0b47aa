from django.urls import path

from . import views

app_name = "evaluations"

urlpatterns = [
    path("", views.task_list, name="task-list"),
    path("reviews/", views.evaluation_list, name="evaluation-list"),
    path("tasks/<int:pk>/", views.task_detail, name="task-detail"),
    path("tasks/<int:pk>/verify/", views.verify, name="task-verify"),
    path("tasks/<int:pk>/rectify/", views.rectify, name="task-rectify"),
    path("tasks/<int:pk>/callback/", views.callback, name="task-callback"),
    path("tasks/<int:pk>/appeal/", views.appeal, name="task-appeal"),
    path("tasks/<int:pk>/accept/", views.accept, name="task-accept"),
    path("tasks/<int:pk>/send-back/", views.send_back, name="task-send-back"),
    path("tasks/<int:pk>/decide-appeal/", views.decide_appeal, name="task-decide-appeal"),
    path("tasks/<int:pk>/contact/", views.contact, name="task-contact"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("letters/", views.letter_list, name="letter-list"),
    path("letters/new/", views.letter_new, name="letter-new"),
    path("letters/<int:pk>/", views.letter_detail, name="letter-detail"),
    path("letters/<int:pk>/edit/", views.letter_edit, name="letter-edit"),
    path("letters/<int:pk>/issue/", views.letter_issue, name="letter-issue"),
    path("letters/<int:pk>/reply/", views.letter_reply, name="letter-reply"),
    path("letters/<int:pk>/close/", views.letter_close, name="letter-close"),
    path("letters/<int:pk>/return/", views.letter_return, name="letter-return"),
    path("letters/<int:pk>/letter.docx", views.letter_document, name="letter-document"),
]
