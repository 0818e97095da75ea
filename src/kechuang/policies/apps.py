from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "kechuang.policies"
    verbose_name = "惠企政策"
