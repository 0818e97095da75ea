from django.urls import path

from kechuang.dashboard import views

app_name = "dashboard"
urlpatterns = [path("", views.dashboard_home, name="home")]
