from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Course
from .selectors import course_list_published


def home(request: HttpRequest) -> HttpResponse:
    page = Paginator(course_list_published(), 24).get_page(request.GET.get("page"))
    return render(request, "courses/home.html", {"page": page})


def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_object_or_404(Course.objects.published(), slug=slug)
    lectures = course.lectures.published().order_by("position", "id")
    return render(request, "courses/course_detail.html", {"course": course, "lectures": lectures})
