from django.urls import path

from .views import assists, gold, queues, staff

app_name = "windows"

urlpatterns = [
    path("", staff.overview, name="overview"),
    path("list/", staff.window_list, name="list"),
    path("w/<int:pk>/", staff.window_detail, name="window-detail"),
    path("attendance/", staff.attendance, name="attendance"),
    path("staff/<int:pk>/", staff.staff_detail, name="staff-detail"),
    path("staff/<int:pk>/absence/", staff.record_absence, name="staff-absence"),
    path("staff/<int:pk>/assign/", staff.assign_staff, name="staff-assign"),
    path("absences/", staff.absences, name="absences"),
    path("queues/", queues.queues, name="queues"),
    path("assists/", assists.assist_list, name="assists"),
    path("assists/new/", assists.assist_new, name="assist-new"),
    path("assists/<int:pk>/", assists.assist_detail, name="assist-detail"),
    path("assists/<int:pk>/assign/", assists.assist_assign, name="assist-assign"),
    path("assists/<int:pk>/finish/", assists.assist_finish, name="assist-finish"),
    path("assists/<int:pk>/cancel/", assists.assist_cancel, name="assist-cancel"),
    path("gold/", gold.gold_list, name="gold"),
    path("gold/rules/", gold.gold_rules, name="gold-rules"),
    path("gold/rank/", gold.gold_rank, name="gold-rank"),
    path("gold/<int:pk>/", gold.gold_round, name="gold-round"),
    path("gold/<int:pk>/award/", gold.gold_award, name="gold-award"),
    path("gold/certificates/<int:pk>/", gold.gold_certificate, name="gold-certificate"),
]
