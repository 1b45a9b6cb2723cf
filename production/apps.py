from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductionConfig(AppConfig):
    name = "production"
    verbose_name = _("Production")

    def ready(self) -> None:
        from courses.permissions import studio_scope_register

        from .selectors import studio_courses_for

        studio_scope_register(studio_courses_for)
