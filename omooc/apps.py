from django.apps import AppConfig


class OmoocConfig(AppConfig):
    name = "omooc"
    verbose_name = "OMOOC"

    def ready(self) -> None:
        from . import squashed_migrations  # noqa: F401  (registers the check that guards `migrate`)
