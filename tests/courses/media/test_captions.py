from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from courses.media.captions import CaptionParseError, parse_captions, to_transcript, to_webvtt
from courses.media.services import caption_upload
from courses.models import Caption

SRT = (
    b"1\r\n00:00:01,000 --> 00:00:03,500\r\n"
    b'<i>Welkom</i> bij dit college & <font color="red">meer</font>\r\n\r\n'
    b"2\r\n00:00:03,600 --> 00:00:05,000\r\nOver digitale dienstverlening.\r\n\r\n"
    b"3\r\n00:00:09,000 --> 00:00:11,000\r\nNa een pauze: deel twee.\r\n"
)


def test_srt_becomes_webvtt_with_dots_and_only_safe_markup():
    vtt = to_webvtt(parse_captions(SRT))
    assert vtt.startswith(
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.500\n<i>Welkom</i> bij dit college &amp; meer\n"
    )
    assert "<font" not in vtt
    assert "00:00:09.000 --> 00:00:11.000" in vtt


def test_the_transcript_is_plain_text_with_a_paragraph_after_a_pause():
    transcript = to_transcript(parse_captions(SRT))
    assert (
        transcript
        == "Welkom bij dit college & meer Over digitale dienstverlening.\n\nNa een pauze: deel twee."
    )


def test_webvtt_with_notes_styles_and_cue_settings_is_kept():
    vtt = (
        b"WEBVTT - lecture 1\n\nNOTE written by the studio\n\nSTYLE\n::cue { color: yellow }\n\n"
        b"intro\n00:01.000 --> 00:02.500 align:start line:0\n<v Anna>Hallo</v>\n"
    )
    cues = parse_captions(vtt)
    assert len(cues) == 1 and cues[0].identifier == "intro" and cues[0].settings == "align:start line:0"
    assert "00:00:01.000 --> 00:00:02.500 align:start line:0" in to_webvtt(cues)
    assert to_transcript(cues) == "Hallo"


def test_a_windows_encoded_srt_is_read():
    cues = parse_captions("1\n00:00:01,000 --> 00:00:02,000\nCafé één\n".encode("cp1252"))
    assert cues[0].text == "Café één"


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (b"1\n00:00:01,000 -> 00:00:02,000\nHallo\n", 2, "the timing line must look like"),
        (
            b"1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:05,000 --> 00:00:04,000\nbad\n",
            6,
            "ends before",
        ),
        (
            b"WEBVTT\n\n00:01.000 --> 00:02.000\nok\n\n00:03.000 --> 00:0x.000\nbad\n",
            6,
            "is not a valid time",
        ),
        (b"1\n00:00:01,000 --> 00:00:02,000\n\n", 2, "has no text"),
        (
            b"1\n00:00:01,000 --> 00:00:02,000\nA\n2\n00:00:03,000 --> 00:00:04,000\nB\n",
            5,
            "blank line is missing",
        ),
        (b"WEBVTTX\n\n00:01.000 --> 00:02.000\nok\n", 1, "header must be"),
        (b"een\n00:00:01,000 --> 00:00:02,000\nA\n", 1, "whole number"),
    ],
)
def test_a_broken_caption_file_is_refused_with_the_line_number(data, line, words):
    with pytest.raises(CaptionParseError) as error:
        parse_captions(data)
    assert error.value.line == line
    assert error.value.message.startswith(f"Line {line}: ")
    assert words in error.value.message


def test_an_empty_or_binary_file_is_refused():
    with pytest.raises(CaptionParseError, match="empty"):
        parse_captions(b"  \n")
    with pytest.raises(CaptionParseError, match="binary"):
        parse_captions(b"\x00\x01\x02 not text")


@pytest.mark.django_db
def test_uploading_captions_stores_webvtt_and_replacing_them_removes_the_old_file(
    lecture, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = caption_upload(lecture=lecture, language="nl", file=SimpleUploadedFile("nl.srt", SRT))
    assert first.cue_count == 3
    assert first.vtt.name.endswith(".vtt")
    assert default_storage.open(first.vtt.name).read().startswith(b"WEBVTT")
    assert "Over digitale dienstverlening." in first.transcript
    old_name = first.vtt.name

    replacement = b"WEBVTT\n\n00:00.500 --> 00:02.000\nNieuwe versie\n"
    with django_capture_on_commit_callbacks(execute=True):
        second = caption_upload(
            lecture=lecture, language="nl", file=SimpleUploadedFile("nl.vtt", replacement)
        )
    assert second.pk == first.pk and second.cue_count == 1
    assert Caption.objects.filter(lecture=lecture).count() == 1
    assert not default_storage.exists(old_name)


@pytest.mark.django_db
def test_a_broken_caption_upload_writes_nothing(lecture):
    with pytest.raises(CaptionParseError):
        caption_upload(lecture=lecture, language="en", file=SimpleUploadedFile("en.srt", b"1\nnonsense\n"))
    assert not Caption.objects.exists()
    assert not default_storage.exists("captions")
