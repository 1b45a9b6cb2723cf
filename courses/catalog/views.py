"""The public catalog page: published courses, searchable and filterable by language and theme."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.views.decorators.http import require_GET

from . import cache as catalog_cache
from . import cards as catalog_cards
from . import selectors

CATALOG_PAGE_SIZE = 12


def _catalog_filters(request: HttpRequest) -> dict[str, str]:
    languages = {code for code, _name in settings.LANGUAGES}
    language = request.GET.get("language", "")
    return {
        "q": request.GET.get("q", "").strip()[:100],
        "language": language if language in languages else "",
        "theme": request.GET.get("theme", "").strip()[:100],
        "sort": request.GET.get("sort", "") if request.GET.get("sort", "") in catalog_cards.SORTS else "",
    }


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    filters = _catalog_filters(request)
    page_number = request.GET.get("page", "")[:10]
    query = urlencode({key: value for key, value in filters.items() if value})

    def results() -> str:
        # The same for every visitor: built once per catalog version (courses/catalog/cache.py).
        page = Paginator(catalog_cards.course_cards(**filters), CATALOG_PAGE_SIZE).get_page(page_number)
        page.object_list = list(page.object_list)
        catalog_cards.course_cards_speakers(page.object_list)
        catalog_cards.course_cards_posters(page.object_list)
        searched = any(value for key, value in filters.items() if key != "sort")
        context = {"page": page, "query": query, "filtered": searched}
        return render_to_string("courses/_catalog_results.html", context)

    language = translation.get_language()
    themes = catalog_cache.cached("themes", (), lambda: list(selectors.theme_list_in_catalog()))
    return render(
        request,
        "courses/home.html",
        {
            "results": catalog_cache.cached("home", (filters, page_number, language), results),
            "filters": filters,
            "themes": [(theme.slug, theme.name) for theme in themes],
            "languages": settings.LANGUAGES,
        },
    )
