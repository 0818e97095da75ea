from django.urls import path

from kechuang.incubation import views

app_name = "incubation"
urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("apply/", views.project_create, name="project_create"),
    path("candidates/", views.candidates, name="candidates"),
    path("candidates/<int:pk>/decide/", views.candidate_decide, name="candidate_decide"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/reviewers/", views.project_reviewers, name="reviewers"),
    path("<int:pk>/review/", views.project_review, name="review"),
    path("<int:pk>/act/<slug:name>/", views.project_act, name="act"),
]
