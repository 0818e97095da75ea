from django.urls import path

from kechuang.orgs import views

app_name = "orgs"
urlpatterns = [
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/export/", views.enterprise_export, name="enterprise_export"),
    path("enterprises/new/", views.enterprise_create, name="enterprise_create"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("enterprises/<int:pk>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("enterprises/<int:pk>/delete/", views.enterprise_delete, name="enterprise_delete"),
    path("enterprises/<int:pk>/figures/", views.enterprise_figure, name="enterprise_figure"),
    path(
        "enterprises/<int:pk>/qualifications/", views.enterprise_qualification_add, name="qualification_add"
    ),
    path("qualifications/<int:pk>/remove/", views.qualification_remove, name="qualification_remove"),
    path("institutions/", views.institution_list, name="institution_list"),
    path("institutions/<int:pk>/", views.institution_detail, name="institution_detail"),
    path("experts/", views.expert_list, name="expert_list"),
    path("experts/<int:pk>/", views.expert_detail, name="expert_detail"),
    path("experts/<int:pk>/edit/", views.expert_edit, name="expert_edit"),
    path("investors/", views.investor_list, name="investor_list"),
    path("investors/<int:pk>/", views.investor_detail, name="investor_detail"),
    path("enclaves/", views.enclave_list, name="enclave_list"),
    path("enclaves/<int:pk>/", views.enclave_detail, name="enclave_detail"),
    path("enclaves/<int:pk>/edit/", views.enclave_edit, name="enclave_edit"),
    path("townships/", views.township_list, name="township_list"),
    path("import/", views.import_home, name="import_home"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/commit/", views.import_commit, name="import_commit"),
    path("import/template/<str:kind>/", views.import_template, name="import_template"),
]
