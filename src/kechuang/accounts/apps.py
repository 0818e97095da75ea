from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kechuang.accounts"
    verbose_name = "账号与角色"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from kechuang.accounts import audit
        from kechuang.accounts.middleware import stamp_sign_in

        audit.connect()
        user_logged_in.connect(stamp_sign_in, dispatch_uid="kechuang.idle.stamp")
