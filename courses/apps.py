from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self) -> None:
        from .catalog import cache as catalog_cache

        catalog_cache.connect()
        from .learning import state as learner_state

        learner_state.connect()
        # Each sub-domain keeps its Celery tasks next to its services (Celery's autodiscovery looks
        # for ``courses.tasks`` only): importing them registers them, under unchanged names.
        from .learning import tasks as learning_tasks  # noqa: F401
        from .media import tasks as media_tasks  # noqa: F401
