from django.urls import path

from kechuang.techservices import views

app_name = "techservices"

urlpatterns = [
    path("ip/", views.ipcase_list, name="ipcase_list"),
    path("ip/new/", views.ipcase_create, name="ipcase_create"),
    path("ip/<int:pk>/", views.ipcase_detail, name="ipcase_detail"),
    path("ip/<int:pk>/<slug:name>/", views.ipcase_act, name="ipcase_act"),
    path("pilot/", views.platform_list, name="platform_list"),
    path("pilot/new/", views.platform_create, name="platform_create"),
    path("pilot/<int:pk>/", views.platform_detail, name="platform_detail"),
    path("pilot/<int:pk>/equipment/", views.equipment_add, name="equipment_add"),
    path("pilot/equipment/<int:pk>/book/", views.booking_create, name="booking_create"),
    path("pilot/bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("pilot/bookings/<int:pk>/complete/", views.booking_complete, name="booking_complete"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/claim/", views.claim_create, name="claim_create"),
    path("ledger/mine/", views.my_claims, name="my_claims"),
    path("ledger/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("ledger/<int:pk>/confirm/", views.claim_confirm, name="claim_confirm"),
    path("ledger/<int:pk>/dispute/", views.claim_dispute, name="claim_dispute"),
]
