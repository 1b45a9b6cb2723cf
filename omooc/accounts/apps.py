from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "omooc.accounts"
    label = "accounts"
    verbose_name = "Accounts"
