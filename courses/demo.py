"""Demo catalogue content (idempotent)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from .models import Course, Lecture, PresenterProfile, Theme

PUBLISHED_COURSE = {
    "slug": "digitale-overheid-in-de-praktijk",
    "title": "Digitale overheid in de praktijk",
    "summary": "Hoe publieke organisaties digitale diensten ontwerpen die werken voor iedereen.",
    "lectures": [
        "Waarom digitale dienstverlening anders is",
        "Gebruikers centraal: onderzoek in vijf dagen",
        "Aanbesteden van software zonder spijt",
        "Data delen tussen organisaties",
    ],
}
PRODUCTION_COURSE = {
    "slug": "samenwerken-met-startups",
    "title": "Samenwerken met startups",
    "summary": "Innovatiepartnerschappen tussen overheid en startups: van uitdaging tot contract.",
    "lectures": [
        "Waarom startups?",
        "De innovatievraag formuleren",
        "Inkoopinstrumenten voor innovatie",
        "Pilots die opschalen",
        "Risico's en governance",
        "Cultuurverschillen overbruggen",
        "Lessen uit de praktijk",
    ],
}


def _course(spec: dict, *, theme: Theme, published: bool) -> Course:
    course, _ = Course.objects.get_or_create(
        slug=spec["slug"],
        defaults={
            "title": spec["title"],
            "summary": spec["summary"],
            "language": "nl",
            "theme": theme,
            "status": Course.Status.PUBLISHED if published else Course.Status.DRAFT,
            "published_at": timezone.now() if published else None,
        },
    )
    for position, title in enumerate(spec["lectures"], start=1):
        Lecture.objects.get_or_create(
            course=course,
            slug=f"college-{position}",
            defaults={
                "title": title,
                "position": position,
                "status": Lecture.Status.PUBLISHED if published else Lecture.Status.DRAFT,
            },
        )
    return course


def seed(*, users: dict) -> dict[str, Course]:
    theme, _ = Theme.objects.get_or_create(slug="innovatie", defaults={"name": "Innovatie"})
    courses = {
        "published": _course(PUBLISHED_COURSE, theme=theme, published=True),
        "in_production": _course(PRODUCTION_COURSE, theme=theme, published=False),
    }
    courses["english"] = _seed_english_course()
    _seed_learner(users=users, course=courses["published"])
    for key, page in COURSE_PAGES.items():
        _seed_course_page(courses[key], page)
    return courses


# The course page's content (issue 13): invented people; their names match the speakers the
# production demo records for the Dutch course (production/demo.py) and the English course's presenters.
COURSE_PAGES = {
    "published": {
        "level": Course.Level.INTRODUCTORY,
        "goals": "Uitleggen waarom digitale dienstverlening anders is\n"
        "In vijf dagen een gebruikersonderzoek opzetten\n"
        "Software aanbesteden zonder vast te lopen",
        "effort": (2, 4),
        "profiles": [
            (
                "Ilse Verhoeven",
                "Ilse leidt het innovatieteam van Gemeente Voorbeeldstad en bouwde daar de "
                "eerste digitale balie.",
            ),
            (
                "Tom Hendriks",
                "Tom is lector digitale overheid en onderzoekt hoe burgers online diensten ervaren.",
            ),
        ],  # fmt: skip
        "presenters": [],  # filled by the production demo when it records the sessions
    },
    "english": {
        "level": Course.Level.INTERMEDIATE,
        "goals": "Decide which data your organisation can open\nCheck privacy, licence and quality\n"
        "Measure what open data changes",
        "effort": (1, 3),
        "profiles": [
            (
                "Grace Okafor",
                "Grace directs a civic tech lab and has helped twenty councils publish open data.",
            ),
        ],
        "presenters": [("Grace Okafor", "Director, Civic Tech Lab")],
    },
}


def _seed_course_page(course: Course, page: dict) -> None:
    """Level, goals, effort and speaker profiles with a generated photo; only what is still empty."""
    from django.core.files.base import ContentFile

    from .catalog.services import Presenter, lecture_presenters_set

    if not course.goals:
        course.level, course.goals = page["level"], page["goals"]
        course.effort_hours_per_week, course.effort_weeks = page["effort"]
        course.save(update_fields=["level", "goals", "effort_hours_per_week", "effort_weeks", "updated_at"])
    for index, (name, bio) in enumerate(page["profiles"]):
        if PresenterProfile.objects.filter(course=course, name__iexact=name).exists():
            continue
        profile = PresenterProfile(course=course, name=name, bio=bio)
        profile.photo.save(f"{index}.png", ContentFile(_demo_photo(name, index)), save=False)
        profile.save()
    if page["presenters"]:
        presenters = [Presenter(name=name, affiliation=role) for name, role in page["presenters"]]
        for lecture in course.lectures.filter(presenters__isnull=True):
            lecture_presenters_set(lecture=lecture, presenters=presenters)


def _demo_photo(name: str, index: int) -> bytes:
    """A square portrait stand-in: the speaker's initials on a colour of the design system."""
    import io

    from PIL import Image, ImageDraw

    colours = [(11, 92, 173), (30, 107, 52), (122, 79, 0)]
    image = Image.new("RGB", (320, 320), colours[index % len(colours)])
    initials = "".join(part[0] for part in name.split()[:2]).upper()
    ImageDraw.Draw(image).text((160, 160), initials, fill=(255, 255, 255), anchor="mm", font_size=120)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


ENGLISH_COURSE = {
    "slug": "open-data-for-public-managers",
    "title": "Open data for public managers",
    "summary": "Publishing and using open data responsibly: a short course in English.",
    "lectures": [
        "What open data can do for your organisation",
        "Privacy, licences and quality",
        "Measuring the effect of open data",
    ],
}


def _seed_english_course() -> Course:
    """A second, English course whose last lecture is released in two weeks ("available on ...")."""
    theme, _ = Theme.objects.get_or_create(slug="data", defaults={"name": "Data"})
    course = _course(ENGLISH_COURSE, theme=theme, published=True)
    if course.language != "en":
        Course.objects.filter(pk=course.pk).update(language="en")
    last = course.lectures.order_by("-position").first()
    if last is not None and last.release_at is None:
        last.release_at = timezone.now() + datetime.timedelta(days=14)
        last.save(update_fields=["release_at"])
    return course


def _seed_learner(*, users: dict, course: Course) -> None:
    """The demo learner follows the published course (progress comes from watching)."""
    from .learning.services import enrollment_create

    learner = users.get("learner")
    if learner is not None:
        enrollment_create(user=learner, course=course)


DEMO_CLIP_SECONDS = 12


def _demo_clip(path, *, seconds: int, tone: int) -> None:
    """A test pattern with a tone, made with the pipeline's own ffmpeg."""
    import subprocess

    from .media.ffmpeg import ffmpeg_exe

    subprocess.run(  # noqa: S603 (fixed argv)
        [
            ffmpeg_exe(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-nostdin",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size=640x360:rate=25:duration={seconds}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency={tone}:sample_rate=48000:duration={seconds}",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "64k",
            "-movflags",
            "+faststart",
            "-shortest",
            str(path),
        ],  # fmt: skip
        check=True,
        timeout=300,
    )


def _demo_captions(title: str, seconds: int) -> bytes:
    lines = [
        f"Welkom bij het college “{title}”.",
        "Dit is een testbeeld met een toon: de echte opname volgt.",
        "Ondertiteling kan per taal worden toegevoegd.",
    ]
    step = seconds / len(lines)
    blocks = []
    for index, text in enumerate(lines):
        start, end = index * step, (index + 1) * step - 0.2
        blocks.append(f"{index + 1}\n{_srt_time(start)} --> {_srt_time(end)}\n{text}\n")
    return "\n".join(blocks).encode("utf-8")


def _srt_time(seconds: float) -> str:
    millis = int(round(seconds * 1000))
    return (
        f"{millis // 3_600_000:02d}:{millis // 60_000 % 60:02d}:{millis // 1000 % 60:02d},{millis % 1000:03d}"
    )


def seed_media(*, courses: dict[str, Course], stdout) -> None:
    """Give every lecture of the published demo course a short transcoded clip and Dutch captions.

    The clips go through the real pipeline (probe, one-pass HLS ladder of 360p and 180p, health check,
    storage). Lectures that already have a ready video are left alone, so running it again is cheap.
    """
    import tempfile
    from pathlib import Path

    from django.core.files import File
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.utils import override_settings

    from .media.services import caption_upload, video_process, video_upload
    from .models import Caption, Video

    course = courses["published"]
    lectures = list(course.lectures.order_by("position", "id"))
    with tempfile.TemporaryDirectory(prefix="omooc-demo-") as tmp, override_settings(MEDIA_LADDER=[360, 180]):
        for index, lecture in enumerate(lectures):
            if not Video.objects.filter(lecture=lecture, is_current=True, status=Video.Status.READY).exists():
                clip = Path(tmp) / f"{lecture.slug}.mp4"
                _demo_clip(clip, seconds=DEMO_CLIP_SECONDS, tone=330 + 110 * index)
                with clip.open("rb") as handle:
                    video = video_upload(lecture=lecture, file=File(handle, name=clip.name), enqueue=False)
                video = video_process(video_id=video.pk)
                stdout.write(f"  video for “{lecture.title}”: {video.get_status_display()}")
            if not Caption.objects.filter(lecture=lecture, language="nl").exists():
                data = _demo_captions(lecture.title, DEMO_CLIP_SECONDS)
                caption_upload(lecture=lecture, language="nl", file=SimpleUploadedFile("nl.srt", data))
