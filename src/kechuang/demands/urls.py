from django.urls import path

from kechuang.demands import views

app_name = "demands"
urlpatterns = [
    path("", views.demand_list, name="list"),
    path("hall/", views.public_list, name="public"),
    path("new/", views.demand_create, name="create"),
    path("funnel/", views.funnel, name="funnel"),
    path("<int:pk>/", views.demand_detail, name="detail"),
    path("<int:pk>/edit/", views.demand_edit, name="edit"),
    path("<int:pk>/route/", views.demand_route, name="route"),
    path("<int:pk>/act/<slug:name>/", views.demand_act, name="act"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/visits/", views.visit_create, name="visit_create"),
]
