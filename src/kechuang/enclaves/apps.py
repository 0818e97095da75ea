from django.apps import AppConfig


class EnclavesConfig(AppConfig):
    name = "kechuang.enclaves"
    verbose_name = "飞地考核"
