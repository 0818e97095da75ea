from django.urls import path

from kechuang.core import views

app_name = "core"
urlpatterns = [
    path("home/", views.home, name="home"),
    path("audit/", views.audit_log, name="audit_log"),
]
