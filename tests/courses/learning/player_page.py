"""What a lecture page hands its player, read from the HTML as the browser reads it (the page is
joined from a cached shell, so there is no template context to look at: ADR 0029)."""

from __future__ import annotations

import html
import re


def player_config(body: str) -> dict:
    """``master``, ``poster``, ``token``, ``resume`` and ``captions`` (``[{language, url}]``) of the
    page's player; "" where the page has none."""
    player = re.search(r'<section class="player" id="player"(.*?)>', body, re.S)
    attrs = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', player.group(1))) if player else {}
    poster = re.search(r'<video id="lecture-video"[^>]* poster="([^"]*)"', body)
    tracks = re.findall(r'<track kind="captions" srclang="([^"]+)" label="[^"]*" src="([^"]+)"', body)
    return {
        "master": html.unescape(attrs.get("src", "")),
        "poster": html.unescape(poster.group(1)) if poster else "",
        "token": html.unescape(attrs.get("token", "")),
        "resume": attrs.get("resume", ""),
        "captions": [{"language": code, "url": html.unescape(url)} for code, url in tracks],
    }
