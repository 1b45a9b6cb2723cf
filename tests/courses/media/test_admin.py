from __future__ import annotations

import pytest
from django.urls import reverse

from courses.models import Video
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
