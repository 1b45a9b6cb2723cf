"""Caption files: SRT and WebVTT parsed into cues, written back as WebVTT, and a plain transcript.

``parse_captions(data: bytes)`` detects the format, reports problems with the line number
(``CaptionParseError``), and returns the cues sorted by start time. ``to_webvtt(cues)`` and
``to_transcript(cues)`` produce what is stored.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from omooc.exceptions import ApplicationError

MAX_BYTES = 2 * 1024 * 1024
MAX_CUES = 20_000

_TIMING = re.compile(r"^(?P<start>\S+)\s+-->\s+(?P<end>\S+)(?P<settings>(?:\s+.*)?)$")
_VTT_TIME = re.compile(r"^(?:(\d{1,3}):)?([0-5]\d):([0-5]\d)\.(\d{3})$")
_SRT_TIME = re.compile(r"^(\d{1,3}):([0-5]?\d):([0-5]?\d)[,.](\d{1,3})$")
_ALLOWED_TAG = re.compile(r"</?(?:i|b|u)>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")
_SETTING = re.compile(r"^(?:vertical|line|position|size|align|region):\S+$")


class CaptionParseError(ApplicationError):
    default_code = "caption_invalid"

    def __init__(self, message: str, *, line: int | None = None) -> None:
        if line is not None:
            message = _("Line %(line)s: %(problem)s") % {"line": line, "problem": message}
        super().__init__(message, extra={"line": line} if line is not None else {})
        self.line = line


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str
    identifier: str = ""
    settings: str = ""


def decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise CaptionParseError(_("this is a binary file, not an SRT or WebVTT caption file."))
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CaptionParseError(_("the file is not UTF-8 text. Save it as UTF-8 and upload it again."))


def parse_captions(data: bytes) -> list[Cue]:
    if not data.strip():
        raise CaptionParseError(_("The caption file is empty."))
    if len(data) > MAX_BYTES:
        raise CaptionParseError(
            _("The caption file is larger than %(size)s MB; split it or remove non-caption content.")
            % {"size": MAX_BYTES // (1024 * 1024)}
        )
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    first = lines[0].strip() if lines else ""
    if first.startswith("WEBVTT"):
        if first not in ("WEBVTT",) and not first.startswith(("WEBVTT ", "WEBVTT\t")):
            raise CaptionParseError(
                _("the header must be “WEBVTT”, optionally followed by a space and text."), line=1
            )
        cues = _parse_blocks(lines, start_line=1, vtt=True)
    else:
        cues = _parse_blocks(lines, start_line=0, vtt=False)
    if not cues:
        raise CaptionParseError(
            _("The file contains no captions (no lines like “00:00:01,000 --> 00:00:04,000”).")
        )
    return sorted(cues, key=lambda cue: (cue.start, cue.end))


def _timestamp(value: str, *, vtt: bool, line: int) -> float:
    match = (_VTT_TIME if vtt else _SRT_TIME).match(value)
    if not match:
        example = "00:01:02.500" if vtt else "00:01:02,500"
        raise CaptionParseError(
            _("“%(value)s” is not a valid time; write it like %(example)s.")
            % {"value": value, "example": example},
            line=line,
        )
    hours, minutes, seconds, fraction = match.groups()
    fraction = (fraction or "0").ljust(3, "0")
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(fraction) / 1000


def _parse_blocks(lines: list[str], *, start_line: int, vtt: bool) -> list[Cue]:
    # Split into blocks separated by blank lines, remembering each block's first line number.
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    current_start = 0
    for index in range(start_line, len(lines)):
        line = lines[index]
        if line.strip():
            if not current:
                current_start = index + 1
            current.append(line.rstrip())
        elif current:
            blocks.append((current_start, current))
            current = []
    if current:
        blocks.append((current_start, current))

    cues: list[Cue] = []
    for number, block in blocks:
        head = block[0]
        if vtt and (head.startswith(("NOTE", "STYLE", "REGION")) and "-->" not in head):
            continue
        identifier = ""
        timing_index = 0
        if "-->" not in head:
            if not vtt and head.strip().isdigit() and len(block) > 1 and "-->" not in block[1]:
                raise CaptionParseError(
                    _("the timing line must look like “00:00:01,000 --> 00:00:04,000”."), line=number + 1
                )
            if len(block) < 2 or "-->" not in block[1]:
                if vtt:
                    problem = _("expected a cue timing line such as “00:00:01.000 --> 00:00:04.000”.")
                else:
                    problem = _(
                        "expected a cue number followed by a timing line "
                        "such as “00:00:01,000 --> 00:00:04,000”."
                    )
                raise CaptionParseError(problem, line=number + (1 if len(block) > 1 else 0))
            identifier = head.strip()
            if not vtt and not identifier.isdigit():
                raise CaptionParseError(
                    _("a cue number must be a whole number, not “%(value)s”.") % {"value": identifier},
                    line=number,
                )
            timing_index = 1
        timing_line = number + timing_index
        match = _TIMING.match(block[timing_index].strip())
        if not match:
            raise CaptionParseError(
                _("the timing line must look like “00:00:01,000 --> 00:00:04,000”."), line=timing_line
            )
        start = _timestamp(match.group("start"), vtt=vtt, line=timing_line)
        end = _timestamp(match.group("end"), vtt=vtt, line=timing_line)
        if end <= start:
            raise CaptionParseError(_("the cue ends before it starts."), line=timing_line)
        cue_settings = match.group("settings").strip() if vtt else ""
        if cue_settings and not all(_SETTING.match(part) for part in cue_settings.split()):
            raise CaptionParseError(
                _("unknown cue settings “%(value)s”.") % {"value": cue_settings}, line=timing_line
            )
        text_lines = block[timing_index + 1 :]
        for offset, text_line in enumerate(text_lines, start=timing_line + 1):
            if "-->" in text_line:
                raise CaptionParseError(
                    _("a blank line is missing between two cues (a timing line appears inside cue text)."),
                    line=offset,
                )
        text = "\n".join(text_lines).strip()
        if not text:
            raise CaptionParseError(_("the cue has no text."), line=timing_line)
        cues.append(
            Cue(
                start=start,
                end=end,
                text=_clean_text(text, vtt=vtt),
                identifier=identifier,
                settings=cue_settings,
            )
        )
        if len(cues) > MAX_CUES:
            raise CaptionParseError(_("more than %(count)s cues.") % {"count": MAX_CUES}, line=number)
    return cues


def _clean_text(text: str, *, vtt: bool) -> str:
    """Keep <i>, <b> and <u>; drop other markup (SRT's <font ...>); escape stray < and &."""
    kept: list[str] = []
    position = 0
    for match in _ANY_TAG.finditer(text):
        kept.append(_escape(html.unescape(text[position : match.start()])))
        if _ALLOWED_TAG.fullmatch(match.group(0)):
            kept.append(match.group(0).lower())
        elif vtt and re.fullmatch(r"</?(?:c|v|lang|ruby|rt)(?:[.\s][^>]*)?>|<\d[\d:.]*>", match.group(0)):
            kept.append(match.group(0))
        position = match.end()
    kept.append(_escape(html.unescape(text[position:])))
    return "".join(kept)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _format_time(seconds: float) -> str:
    millis = int(round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def to_webvtt(cues: list[Cue]) -> str:
    parts = ["WEBVTT", ""]
    for cue in cues:
        if cue.identifier:
            parts.append(cue.identifier)
        timing = f"{_format_time(cue.start)} --> {_format_time(cue.end)}"
        parts.append(f"{timing} {cue.settings}".rstrip())
        parts.append(cue.text)
        parts.append("")
    return "\n".join(parts)


def to_transcript(cues: list[Cue], *, paragraph_gap: float = 2.0) -> str:
    """Plain text: markup removed, repeated lines dropped, a new paragraph after a pause."""
    paragraphs: list[list[str]] = [[]]
    previous_end: float | None = None
    previous_line = ""
    for cue in cues:
        if previous_end is not None and cue.start - previous_end >= paragraph_gap and paragraphs[-1]:
            paragraphs.append([])
        plain = html.unescape(_ANY_TAG.sub("", cue.text))
        for line in plain.split("\n"):
            line = " ".join(line.split())
            if line and line != previous_line:
                paragraphs[-1].append(line)
                previous_line = line
        previous_end = cue.end
    return "\n\n".join(" ".join(p) for p in paragraphs if p)
