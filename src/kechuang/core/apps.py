from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kechuang.core"
    verbose_name = "基础"

    def ready(self) -> None:
        from django.contrib.auth import signals

        from kechuang.core import audit

        signals.user_logged_in.connect(audit.on_logged_in, dispatch_uid="kechuang.audit.login")
        signals.user_logged_out.connect(audit.on_logged_out, dispatch_uid="kechuang.audit.logout")
        signals.user_login_failed.connect(audit.on_login_failed, dispatch_uid="kechuang.audit.login_failed")
