from django.apps import AppConfig


class OmoocConfig(AppConfig):
    name = "omooc"
    verbose_name = "OMOOC"
