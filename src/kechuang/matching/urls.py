from django.urls import path

from kechuang.matching import views

app_name = "matching"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("suggestions/<int:pk>/judge/", views.judge, name="judge"),
    path("suggestions/<int:pk>/feedback/", views.feedback, name="feedback"),
    path("", views.status, name="status"),
]
