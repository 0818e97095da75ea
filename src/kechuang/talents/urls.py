from django.urls import path

from kechuang.talents import views

app_name = "talents"

urlpatterns = [
    path("", views.talent_list, name="list"),
    path("new/", views.person_create, name="person_create"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/apply/", views.person_apply, name="person_apply"),
    path("self/", views.self_cert, name="self_cert"),
    path("certifications/<int:pk>/", views.cert_detail, name="cert_detail"),
    path("certifications/<int:pk>/act/", views.cert_act, name="cert_act"),
    path("certifications/<int:pk>/enterprise/", views.cert_enterprise_act, name="cert_enterprise_act"),
    path("certifications/<int:pk>/score/", views.cert_score, name="cert_score"),
    path("certifications/<int:pk>/object/", views.objection_file, name="objection_file"),
    path("certifications/<int:pk>/certificate/", views.certificate, name="certificate"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("queue/", views.queue, name="queue"),
    path("objections/<int:pk>/decide/", views.objection_decide, name="objection_decide"),
    path("reviews/", views.reviews, name="reviews"),
    path("publicity/", views.publicity, name="publicity"),
    path("verify/", views.verify_form, name="verify_form"),
    path("verify/<str:number>/", views.verify, name="verify"),
    path("expiring/", views.expiring, name="expiring"),
    path("authorizations/", views.authorizations, name="authorizations"),
    path("authorizations/<int:pk>/edit/", views.authorization_edit, name="authorization_edit"),
    path("quota-rules/", views.quota_rules, name="quota_rules"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("reports/", views.reports, name="reports"),
]
