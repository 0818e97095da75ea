from django.contrib import admin
from django.urls import include, path

from kechuang.api import api
from kechuang.core import views as core_views

admin.site.site_header = "科创平台 · 后台管理"
admin.site.site_title = "科创平台后台"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("", include("kechuang.core.urls")),
    path("accounts/", include("kechuang.accounts.urls")),
    path("orgs/", include("kechuang.orgs.urls")),
    path("achievements/", include("kechuang.achievements.urls")),
    path("dashboard/", include("kechuang.dashboard.urls")),
    path("demands/", include("kechuang.demands.urls")),
    path("notifications/", include("kechuang.notifications.urls")),
    path("matching/", include("kechuang.matching.urls")),
    path("events/", include("kechuang.events.urls")),
    path("incubation/", include("kechuang.incubation.urls")),
    path("enclaves/", include("kechuang.enclaves.urls")),
    path("policies/", include("kechuang.policies.urls")),
    path("carriers/", include("kechuang.carriers.urls")),
    path("finance/", include("kechuang.finance.urls")),
    path("services/", include("kechuang.techservices.urls")),
    path("talents/", include("kechuang.talents.urls")),
    path("commissioners/", include("kechuang.commissioners.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

handler400 = "kechuang.core.views.error_400"
handler403 = "kechuang.core.views.error_403"
handler404 = "kechuang.core.views.error_404"
handler500 = "kechuang.core.views.error_500"
