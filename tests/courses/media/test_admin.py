from __future__ import annotations

import pytest
from django.urls import reverse

from courses.models import Caption, Video
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_admin_lists_videos_and_retries_failed_ones(admin_client, lecture, monkeypatch):
    monkeypatch.setattr("courses.media.tasks.video_process.delay", lambda **kw: None)
    failed = Video.objects.create(
        lecture=lecture, status="failed", error="boom", source="uploads/x/source.mp4"
    )
    ready = Video.objects.create(lecture=lecture, status="ready")
    changelist = reverse("admin:courses_video_changelist")
    assert admin_client.get(changelist).status_code == 200
    response = admin_client.post(
        changelist, {"action": "retry_transcoding", "_selected_action": [failed.pk, ready.pk]}, follow=True
    )
    assert response.status_code == 200
    failed.refresh_from_db()
    ready.refresh_from_db()
    assert failed.status == "queued" and ready.status == "ready"


def test_deleting_videos_and_captions_in_bulk_goes_through_the_services_and_nothing_is_added_here(
    admin_client, lecture, monkeypatch
):
    removed = []
    monkeypatch.setattr(
        "courses.media.services.media_storage.delete_on_commit",
        lambda files=(), trees=(): removed.append((list(files), list(trees))),
    )
    videos = [
        Video.objects.create(
            lecture=lecture, status="ready", source=f"uploads/{n}/source.mp4", output_prefix=f"v/{n}"
        )
        for n in (1, 2)
    ]
    caption = Caption.objects.create(lecture=lecture, language="nl", vtt="captions/a.vtt")
    for model, pks in (("video", [v.pk for v in videos]), ("caption", [caption.pk])):
        changelist = reverse(f"admin:courses_{model}_changelist")
        response = admin_client.post(
            changelist, {"action": "delete_selected", "_selected_action": pks, "post": "yes"}
        )
        assert response.status_code == 302
        assert admin_client.get(reverse(f"admin:courses_{model}_add")).status_code == 403
    assert not Video.objects.exists() and not Caption.objects.exists()
    assert sorted(removed) == [
        (["captions/a.vtt"], []),
        (["uploads/1/source.mp4"], ["v/1"]),
        (["uploads/2/source.mp4"], ["v/2"]),
    ]
