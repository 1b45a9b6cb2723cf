from django.urls import path

from . import views

urlpatterns = [
    path("courses/", views.CourseListView.as_view(), name="course-list"),
    path("courses/<slug:slug>/", views.CourseDetailView.as_view(), name="course-detail"),
    path("enrollments/", views.EnrollmentListView.as_view(), name="enrollment-list"),
    path("enrollments/<int:pk>/", views.EnrollmentDetailView.as_view(), name="enrollment-detail"),
    path("lectures/<int:pk>/playback/", views.PlaybackView.as_view(), name="lecture-playback"),
    path("progress/", views.ProgressView.as_view(), name="progress"),
]
