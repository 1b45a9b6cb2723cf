"""A URLconf with deliberately broken views, to prove the authorization matrix catches each kind of
problem (tests/test_authorization_matrix.py::test_the_matrix_catches_*)."""

from django.http import HttpResponse
from django.urls import path

from production.models import Speaker

from .world import OTHER_LEARNER_EMAIL


def shows_everything(request):
    """No permission check at all, and another learner's address in the page."""
    return HttpResponse(f"<p>{OTHER_LEARNER_EMAIL}</p>")


def denies_after_writing(request):
    """Answers 403, but only after changing a row."""
    if request.method == "POST":
        Speaker.objects.update(notes="changed by a denied request")
    return HttpResponse("no", status=403)


urlpatterns = [
    path("leak/", shows_everything, name="leak"),
    path("sneaky/", denies_after_writing, name="sneaky"),
]
