from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "kechuang.demo"
    verbose_name = "演示数据"
