"""Small video generators for tests (ffmpeg test pattern + sine tone) and a hostile-file corpus.

``make_test_video(path, seconds=3, width=640, height=360, audio=True)`` writes an H.264/AAC file
(the container follows the suffix: .mp4, .mov, .mkv, .webm uses VP9/Opus) and returns the path.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from courses.media.ffmpeg import ffmpeg_exe


def make_test_video(
    path: str | os.PathLike,
    seconds: float = 3,
    width: int = 640,
    height: int = 360,
    audio: bool = True,
    fps: int = 25,
    faststart: bool = True,
    noise: bool = False,
) -> Path:
    """Encode a test pattern (with a 440 Hz tone when ``audio``) into ``path``; fast settings."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    video = f"testsrc2=size={width}x{height}:rate={fps}:duration={seconds}"
    if noise:
        video += ",noise=alls=6:allf=t"  # camera-like grain, so encoders work as on real footage
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i", video]
    if audio:
        cmd += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}"]
    if path.suffix.lower() == ".webm":
        cmd += ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k"]
        if audio:
            cmd += ["-c:a", "libopus", "-b:a", "48k"]
    else:
        cmd += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", str(fps)]
        if noise:
            cmd += ["-crf", "21"]
        if audio:
            cmd += ["-c:a", "aac", "-b:a", "64k"]
        if faststart and path.suffix.lower() in {".mp4", ".mov"}:
            cmd += ["-movflags", "+faststart"]
    cmd += ["-shortest", str(path)]
    subprocess.run(cmd, check=True, timeout=600)
    return path


def make_truncated_video(path: str | os.PathLike, keep: float = 0.5, **kwargs) -> Path:
    """A real video cut off after ``keep`` of its bytes (the index says more than the file holds)."""
    path = make_test_video(path, **kwargs)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def make_hls_disguised_as_mp4(path: str | os.PathLike) -> Path:
    path = Path(path)
    path.write_text(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.0,\n/etc/passwd\n"
        "#EXTINF:6.0,\nhttp://169.254.169.254/latest/meta-data/\n#EXT-X-ENDLIST\n"
    )
    return path


def make_concat_list(path: str | os.PathLike) -> Path:
    path = Path(path)
    path.write_text("ffconcat version 1.0\nfile '/etc/passwd'\nfile '/etc/hostname'\n")
    return path


def make_huge_dimensions_video(path: str | os.PathLike) -> Path:
    """An MJPEG Matroska file whose headers declare a 65535-pixel-wide picture."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=5:duration=1",
        "-c:v", "mjpeg", "-q:v", "10", str(path),
    ]  # fmt: skip
    subprocess.run(cmd, check=True, timeout=60)
    data = bytearray(path.read_bytes())
    # Matroska PixelWidth (0xB0, 2-byte value 320) in the track header; JPEG SOF0 width (0x0140) in frames.
    header = data.find(bytes([0xB0, 0x82, 0x01, 0x40]))
    assert header != -1, "PixelWidth element not found"
    data[header + 2 : header + 4] = b"\xff\xff"
    sof = bytes([0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0xF0, 0x01, 0x40])
    data[:] = data.replace(sof, sof[:7] + b"\xff\xff")
    path.write_bytes(bytes(data))
    return path


def make_random_bytes(path: str | os.PathLike, size: int = 200_000) -> Path:
    path = Path(path)
    path.write_bytes(os.urandom(size))
    return path
