from django.urls import path

from kechuang.enclaves import views

app_name = "enclaves"
urlpatterns = [
    path("", views.contract_list, name="contract_list"),
    path("contracts/new/", views.contract_create, name="contract_create"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/edit/", views.contract_edit, name="contract_edit"),
    path("contracts/<int:pk>/act/<slug:name>/", views.contract_act, name="contract_act"),
    path("contracts/<int:pk>/<str:period>/report/", views.report, name="report"),
    path("contracts/<int:pk>/<str:period>/", views.scorecard, name="scorecard"),
    path("contracts/<int:pk>/<str:period>/print/", views.scorecard_print, name="scorecard_print"),
    path("contracts/<int:pk>/<str:period>/act/<slug:name>/", views.scorecard_act, name="scorecard_act"),
    path("contracts/<int:pk>/<str:period>/simulate/", views.simulate, name="simulate"),
    path("ranking/", views.ranking, name="ranking"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
]
