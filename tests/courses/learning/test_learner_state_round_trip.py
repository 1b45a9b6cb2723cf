"""The learner state's one round trip (``state.read``) is sent on a pooled connection by hand; a
script Redis no longer has, a broken connection and a server-side error behave as through redis-py."""

from __future__ import annotations

import pytest

from courses.learning import selectors, state

from .factories import EnrollmentFactory
from .test_learner_state import fast  # noqa: F401 - Redis as in production

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast")]


def _stored_rows(user, course):
    found = state.read(user, f"c:{course.slug}")
    selectors.enrollment_with_progress(user=user, course=course, found=found)  # a miss stores the rows
    return state.read(user, f"c:{course.slug}")


def test_the_hand_sent_script_answers_as_redis_py_does():
    enrollment = EnrollmentFactory()
    found = _stored_rows(enrollment.user, enrollment.course)
    assert found.rows
    client = state._client()
    script = client.register_script(state._READ)
    keys = [state._fast_path(), state._generation_key(enrollment.user.pk), found.key, "none"]
    assert state._run(script, client, keys) == script(keys=keys, client=client)


def test_a_script_redis_forgot_is_loaded_again():
    enrollment = EnrollmentFactory()
    _stored_rows(enrollment.user, enrollment.course)
    state._client().script_flush()
    found = state.read(enrollment.user, f"c:{enrollment.course.slug}")
    assert found is not None and found.rows


def test_a_broken_pooled_connection_is_replaced():
    enrollment = EnrollmentFactory()
    _stored_rows(enrollment.user, enrollment.course)
    pool = state._client().connection_pool
    connection = pool.get_connection("GET")
    connection._sock.close()  # as a Redis restart leaves a pooled connection
    pool.release(connection)
    found = state.read(enrollment.user, f"c:{enrollment.course.slug}")
    assert found is not None and found.rows
    assert state.read(enrollment.user, f"c:{enrollment.course.slug}").rows


def test_an_error_in_the_script_leaves_the_connection_usable():
    client = state._client()
    script = client.register_script("return redis.error_reply('boom')")
    with pytest.raises(Exception, match="boom"):
        state._run(script, client, ["a"])
    assert client.ping()
