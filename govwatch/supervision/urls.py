from django.urls import path

from .views import board, orders, outbox, watches

app_name = "supervision"

urlpatterns = [
    path("", board.board, name="board"),
    path("inbox/", board.inbox, name="inbox"),
    path("watches/", watches.watch_list, name="watch-list"),
    path("orders/", orders.order_list, name="order-list"),
    path("orders/new/", orders.order_new, name="order-new"),
    path("orders/<int:pk>/", orders.order_detail, name="order-detail"),
    path("orders/<int:pk>/reply/", orders.reply, name="order-reply"),
    path("orders/<int:pk>/accept/", orders.accept, name="order-accept"),
    path("orders/<int:pk>/send-back/", orders.send_back, name="order-send-back"),
    path("orders/<int:pk>/notice.docx", orders.notice, name="order-notice"),
    path("attachments/<int:pk>/", orders.attachment, name="attachment"),
    path("outbox/", outbox.outbox, name="outbox"),
    path("outbox/<int:pk>/requeue/", outbox.requeue, name="requeue"),
    path("templates/", outbox.notification_texts, name="texts"),
    path("templates/<slug:kind>/", outbox.watch_texts, name="watch-texts"),
]
