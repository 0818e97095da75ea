from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "kechuang.matching"
    verbose_name = "智能匹配"
