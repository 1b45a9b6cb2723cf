from django.urls import path

from omooc.ratelimit import rate_limit

from .speakers import portal_views as views

app_name = "speaker"

# Personal links are unguessable (192-bit tokens), and each client address is still limited so that
# nobody can probe tokens or hammer a speaker's page.
limited = rate_limit(scope="speaker_link", rate_setting="speaker_link", methods=("GET", "POST"))

urlpatterns = [
    path("<str:token>/", limited(views.page), name="page"),
    path("<str:token>/<str:target>/<int:pk>/answer/", limited(views.answer), name="answer"),
    path("<str:token>/<str:target>/<int:pk>.ics", limited(views.ics), name="ics"),
    path("<str:token>/scripts/<int:pk>/", limited(views.script), name="script"),
    path("<str:token>/feed.ics", limited(views.feed), name="feed"),
]
