from django.urls import path

from kechuang.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.dashboard_home, name="home"),
    path("carriers/", views.dashboard_carriers, name="carriers"),
    path("finance/", views.dashboard_finance, name="finance"),
]
