from django.urls import path

from kechuang.policies import library_views, round_views, tier_views, views

app_name = "policies"
urlpatterns = [
    path("calculator/", views.calculator, name="calculator"),
    path("library/", library_views.library, name="library"),
    path("library/measure/", library_views.measure_edit, name="measure_edit"),
    path("rounds/", round_views.round_list, name="round_list"),
    path("rounds/<int:pk>/", round_views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/export/", round_views.round_export, name="round_export"),
    path("tiers/", tier_views.tiers, name="tiers"),
    path("ledger/", round_views.ledger, name="ledger"),
    path("mine/", round_views.my_rounds, name="my_rounds"),
    path("mine/<int:pk>/", round_views.respond, name="respond"),
]
