from django.urls import path

from kechuang.events import views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/act/<slug:name>/", views.event_act, name="act"),
    path("<int:pk>/agenda/", views.agenda, name="agenda"),
    path("<int:pk>/tables/", views.table_plan, name="tables"),
]
