from django.urls import path

from kechuang.finance import views

app_name = "finance"

urlpatterns = [
    path("", views.fund_list, name="fund_list"),
    path("funds/new/", views.fund_create, name="fund_create"),
    path("funds/<int:pk>/", views.fund_detail, name="fund_detail"),
    path("funds/<int:pk>/investment/", views.investment_create, name="investment_create"),
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/<int:pk>/", views.product_detail, name="product_detail"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/route/", views.request_route, name="request_route"),
    path("requests/<int:pk>/grant/", views.loan_grant, name="loan_grant"),
    path("loans/", views.loan_list, name="loan_list"),
    path("loans/<int:pk>/", views.loan_detail, name="loan_detail"),
    path("loans/<int:pk>/default/", views.loan_default, name="loan_default"),
    path("loans/<int:pk>/repay/", views.loan_repay, name="loan_repay"),
    path("loans/<int:pk>/subsidy/", views.subsidy_create, name="subsidy_create"),
    path("pools/", views.pool_list, name="pool_list"),
    path("pools/<int:pk>/", views.pool_detail, name="pool_detail"),
    path("pools/<int:pk>/compensate/", views.compensation_create, name="compensation_create"),
]
