from django.urls import path

from kechuang.commissioners import views

app_name = "commissioners"

urlpatterns = [
    path("", views.commissioner_list, name="list"),
    path("new/", views.commissioner_create, name="create"),
    path("<int:pk>/", views.commissioner_detail, name="detail"),
    path("<int:pk>/edit/", views.commissioner_edit, name="edit"),
    path("match/", views.match_pick, name="match_pick"),
    path("match/batch/", views.match_batch, name="match_batch"),
    path("match/<int:enterprise_pk>/", views.match, name="match"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path("assignments/<int:pk>/close/", views.assignment_close, name="assignment_close"),
    path("mine/", views.mine, name="mine"),
    path("report/", views.report, name="report"),
]
