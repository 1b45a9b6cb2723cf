"""Which ffmpeg runs: the one on PATH only when its version and features qualify, else the binary
``imageio-ffmpeg`` ships; the choice and its reason are logged. Fake ``ffmpeg`` scripts on PATH stand
in for a distribution's build (Debian 12 ships 5.1, without ``-display_rotation``)."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest

from courses.media import ffmpeg

BUNDLED = imageio_ffmpeg.get_ffmpeg_exe()
DEBIAN_12_BANNER = """ffmpeg version 5.1.6-0+deb12u1 Copyright (c) 2000-2024 the FFmpeg developers
built with gcc 12 (Debian 12.2.0-14)
configuration: --prefix=/usr --extra-version=0+deb12u1 --toolchain=hardened --enable-gpl --enable-libx264
libavutil      57. 28.100 / 57. 28.100
"""
NEWER_BANNER = """ffmpeg version 7.1.1-1+b1 Copyright (c) 2000-2025 the FFmpeg developers
built with gcc 14 (Debian 14.2.0-19)
libavutil      59. 39.100 / 59. 39.100
"""


@pytest.fixture(scope="module")
def real_help(tmp_path_factory) -> str:
    """The full help of a real, current ffmpeg (the bundled one): the features a fake claims."""
    return subprocess.run(
        [BUNDLED, "-hide_banner", "-h", "full"], capture_output=True, text=True, check=True
    ).stdout


def fake_ffmpeg(folder: Path, *, banner: str, help_text: str) -> Path:
    """An ``ffmpeg`` shell script that answers ``-version`` and ``-h full`` like a real build."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "version.txt").write_text(banner)
    (folder / "help.txt").write_text(help_text)
    script = folder / "ffmpeg"
    script.write_text(
        "#!/bin/sh\n"
        'case " $* " in\n'
        f'  *" -version "*) cat "{folder}/version.txt" ;;\n'
        f'  *" -h "*) cat "{folder}/help.txt" ;;\n'
        '  *) echo "fake ffmpeg: $*" >&2; exit 1 ;;\n'
        "esac\n"
    )
    script.chmod(0o755)
    return script


@pytest.fixture
def fresh_choice(monkeypatch):
    """Forget the process's choice before and after (other tests get the real one again)."""
    monkeypatch.delenv("MEDIA_FFMPEG", raising=False)
    ffmpeg.ffmpeg_choice.cache_clear()
    yield
    ffmpeg.ffmpeg_choice.cache_clear()


def on_path(monkeypatch, script: Path) -> None:
    monkeypatch.setenv("PATH", f"{script.parent}:/usr/bin:/bin")


def test_debian_12s_ffmpeg_5_1_on_path_is_passed_over_for_the_bundled_one(
    fresh_choice, monkeypatch, tmp_path, real_help, caplog
):
    help_5_1 = "\n".join(line for line in real_help.splitlines() if "display_rotation" not in line)
    script = fake_ffmpeg(tmp_path / "bin", banner=DEBIAN_12_BANNER, help_text=help_5_1)
    on_path(monkeypatch, script)
    with caplog.at_level(logging.INFO, logger="courses.media.ffmpeg"):
        choice = ffmpeg.ffmpeg_choice()
    assert choice.path == BUNDLED
    assert choice.origin == "bundled"
    assert ffmpeg.ffmpeg_exe() == BUNDLED
    assert "5.1.6" in choice.reason and "-display_rotation" in choice.reason
    logged = caplog.text
    assert BUNDLED in logged and str(script) in logged and "-display_rotation" in logged


def test_a_qualifying_ffmpeg_on_path_is_used(fresh_choice, monkeypatch, tmp_path, real_help, caplog):
    script = fake_ffmpeg(tmp_path / "bin", banner=NEWER_BANNER, help_text=real_help)
    on_path(monkeypatch, script)
    with caplog.at_level(logging.INFO, logger="courses.media.ffmpeg"):
        choice = ffmpeg.ffmpeg_choice()
    assert (choice.path, choice.origin, choice.version) == (str(script), "PATH", "7.1.1-1+b1")
    assert ffmpeg.ffmpeg_exe() == str(script)
    assert f"ffmpeg {str(script)!r}" in caplog.text or str(script) in caplog.text


@pytest.mark.parametrize(
    ("drop", "named"),
    [
        ("libx264 AVOptions", "libx264"),  # a build without the H.264 encoder
        ("hls muxer AVOptions", "hls"),
        ("-var_stream_map", "-var_stream_map"),
    ],
)
def test_a_recent_ffmpeg_without_a_feature_the_pipeline_uses_is_passed_over(
    fresh_choice, monkeypatch, tmp_path, real_help, drop, named
):
    lines = real_help.splitlines()
    if drop.endswith("AVOptions"):  # the whole section goes: the encoder or muxer is not built in
        start = next(i for i, line in enumerate(lines) if line.startswith(drop))
        end = next(i for i in range(start + 1, len(lines)) if lines[i] and not lines[i].startswith(" "))
        lines = lines[:start] + lines[end:]
    else:
        lines = [line for line in lines if drop not in line]
    script = fake_ffmpeg(tmp_path / "bin", banner=NEWER_BANNER, help_text="\n".join(lines))
    on_path(monkeypatch, script)
    choice = ffmpeg.ffmpeg_choice()
    assert choice.path == BUNDLED
    assert named in choice.reason


def test_an_ffmpeg_on_path_that_does_not_run_is_passed_over(fresh_choice, monkeypatch, tmp_path):
    script = tmp_path / "bin" / "ffmpeg"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\nexit 127\n")
    script.chmod(0o755)
    on_path(monkeypatch, script)
    choice = ffmpeg.ffmpeg_choice()
    assert choice.path == BUNDLED and "exit" in choice.reason


def test_without_ffmpeg_on_path_the_bundled_one_runs(fresh_choice, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    choice = ffmpeg.ffmpeg_choice()
    assert (choice.path, choice.origin) == (BUNDLED, "bundled")
    assert "no ffmpeg on PATH" in choice.reason


def test_the_bundled_ffmpeg_has_every_feature_the_pipeline_uses():
    assert ffmpeg.shortcomings(BUNDLED) == []


def test_media_ffmpeg_is_used_as_given_with_a_warning_when_it_falls_short(
    fresh_choice, monkeypatch, tmp_path, real_help, caplog
):
    script = fake_ffmpeg(tmp_path / "bin", banner=DEBIAN_12_BANNER, help_text=real_help)
    monkeypatch.setenv("MEDIA_FFMPEG", str(script))
    with caplog.at_level(logging.INFO, logger="courses.media.ffmpeg"):
        choice = ffmpeg.ffmpeg_choice()
    assert (choice.path, choice.origin) == (str(script), "MEDIA_FFMPEG")
    assert any(r.levelno == logging.WARNING and "5.1.6" in r.getMessage() for r in caplog.records)
