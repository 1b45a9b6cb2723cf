from django.urls import path

from . import speaker_views as views

app_name = "speaker"

urlpatterns = [
    path("<str:token>/", views.page, name="page"),
    path("<str:token>/<str:target>/<int:pk>/answer/", views.answer, name="answer"),
    path("<str:token>/<str:target>/<int:pk>.ics", views.ics, name="ics"),
    path("<str:token>/scripts/<int:pk>/", views.script, name="script"),
    path("<str:token>/feed.ics", views.feed, name="feed"),
]
