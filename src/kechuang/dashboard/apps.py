from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "kechuang.dashboard"
    verbose_name = "数据驾驶舱"
