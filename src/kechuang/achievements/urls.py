from django.urls import path

from kechuang.achievements import views

app_name = "achievements"
urlpatterns = [
    path("", views.achievement_list, name="list"),
    path("<int:pk>/", views.achievement_detail, name="detail"),
    path("<int:pk>/suggest/", views.achievement_suggest, name="suggest"),
]
