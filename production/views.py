from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .permissions import producer_required


@producer_required
def studio_home(request: HttpRequest) -> HttpResponse:
    return render(request, "production/home.html")
