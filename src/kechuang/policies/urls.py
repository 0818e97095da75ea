from django.urls import path

from kechuang.policies import views

app_name = "policies"
urlpatterns = [path("calculator/", views.calculator, name="calculator")]
