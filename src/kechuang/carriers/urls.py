from django.urls import path

from kechuang.carriers import views

app_name = "carriers"

urlpatterns = [
    path("", views.carrier_list, name="list"),
    path("new/", views.carrier_create, name="create"),
    path("<int:pk>/", views.carrier_detail, name="detail"),
    path("<int:pk>/edit/", views.carrier_edit, name="edit"),
    path("<int:pk>/buildings/new/", views.building_add, name="building_add"),
    path("<int:pk>/units/new/", views.unit_add, name="unit_add"),
    path("<int:pk>/leases/new/", views.lease_sign, name="lease_sign"),
    path("leases/<int:pk>/end/", views.lease_end, name="lease_end"),
    path("my-leases/", views.my_leases, name="my_leases"),
    path("parks/", views.park_list, name="park_list"),
    path("parks/new/", views.park_create, name="park_create"),
    path("parks/<int:pk>/", views.park_detail, name="park_detail"),
    path("parks/<int:pk>/edit/", views.park_edit, name="park_edit"),
    path("parks/<int:pk>/sign/", views.park_sign, name="park_sign"),
    path("parks/tenancies/<int:pk>/produce/", views.park_produce, name="park_produce"),
]
