/* OMOOC lecture player: HLS (hls.js, or native HLS), captions, transcript, speed, keyboard,
 * resume and progress heartbeats. Configuration comes from data-* attributes on #player (CSP: no
 * inline scripts). Heartbeats: every 10 s while playing and on pause, seek, end and page hide, to
 * /progress/beat/ with the playback token in the body as the only credential (no cookies, no CSRF;
 * ADR 0009). The token is short-lived: it is renewed together with the signed media URLs. */
(function () {
  "use strict";

  var root = document.getElementById("player");
  var video = document.getElementById("lecture-video");
  if (!root || !video) return;

  var cfg = root.dataset;
  var token = cfg.token || "";
  var resume = parseFloat(cfg.resume || "0") || 0;
  var statusEl = document.getElementById("player-status");
  var HEARTBEAT_MS = 10000;

  function say(text) { if (statusEl) statusEl.textContent = text; }
  // Announcements come translated from data-said-* attributes: "Speed: {value}" and the like.
  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (all, key) { return values[key]; });
  }
  function remember(key, value) { try { window.localStorage.setItem(key, value); } catch (e) { /* private mode */ } }
  function recall(key) { try { return window.localStorage.getItem(key); } catch (e) { return null; } }

  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds || 0));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    var ss = (s < 10 ? "0" : "") + s;
    if (h) return h + ":" + (m < 10 ? "0" : "") + m + ":" + ss;
    return m + ":" + ss;
  }

  /* --- Signed media URLs are short-lived: renew them while the page is open --------------------- */
  var SIGNED = /\/media\/s\/[^\/]+\//;
  var master = cfg.src;
  var ttl = parseInt(cfg.mediaTtl || "300", 10) || 300;
  function currentBase() { return master.slice(0, master.lastIndexOf("/") + 1); }
  function renew() {
    return fetch(cfg.mediaUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && data.master) { master = data.master; ttl = data.expires_in || ttl; }
        if (data && data.token) token = data.token;
        return data;
      })
      .catch(function () { return null; });
  }
  window.setInterval(renew, Math.max(2, ttl / 2) * 1000);

  /* --- Source: hls.js where MediaSource works, else the browser's own HLS ----------------------- */
  function attach() {
    if (window.Hls && window.Hls.isSupported()) {
      var hls = new window.Hls({
        startPosition: resume > 0 ? resume : -1,
        capLevelToPlayerSize: true,
        xhrSetup: function (xhr, url) {
          // Relative segment URLs resolve against the first playlist URL; point them at the newest token.
          if (SIGNED.test(url)) xhr.open("GET", url.replace(SIGNED, currentBase()), true);
        }
      });
      var retries = 0;
      hls.on(window.Hls.Events.FRAG_LOADED, function () { retries = 0; });
      hls.on(window.Hls.Events.ERROR, function (event, data) {
        if (!data.fatal) return;
        if (data.type === window.Hls.ErrorTypes.NETWORK_ERROR && retries < 3) {
          retries += 1;
          renew().then(function () { hls.startLoad(); });
        } else if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
        else say(cfg.hlsMissing);
      });
      setupQuality(hls);
      hls.loadSource(master);
      hls.attachMedia(video);
      return;
    }
    if (video.canPlayType("application/vnd.apple.mpegurl")) {
      var startAt = resume;
      function seekOnLoad() {
        video.addEventListener("loadedmetadata", function once() {
          video.removeEventListener("loadedmetadata", once);
          if (startAt > 0) video.currentTime = startAt;
        });
      }
      video.src = master;
      seekOnLoad();
      video.addEventListener("error", function () {
        // Most likely an expired URL: renew and continue where we were.
        var wasPlaying = !video.paused;
        startAt = lastKnown;
        renew().then(function (data) {
          if (!data) { say(cfg.hlsMissing); return; }
          video.src = master;
          seekOnLoad();
          if (wasPlaying) video.play();
        });
      });
      return;
    }
    say(cfg.hlsMissing);
  }

  /* --- Heartbeats ------------------------------------------------------------------------------ */
  var lastSent = null;      // media position at the previous heartbeat
  var continuous = false;   // played without a jump since the previous heartbeat
  var lastKnown = 0;        // last position seen before a seek started
  var timer = null;
  var outbox = Promise.resolve(); // heartbeats in flight, chained

  function post(body) {
    return fetch(cfg.heartbeatUrl, { method: "POST", body: body, credentials: "omit", keepalive: true });
  }

  function send(event, position, beacon) {
    if (!token) return; // producer preview: nothing recorded
    var body = new URLSearchParams(); // form-encoded: a "simple" request, no CORS preflight
    body.set("token", token);
    body.set("event", event);
    body.set("position", position.toFixed(2));
    if (continuous && lastSent !== null && position >= lastSent) body.set("played_from", lastSent.toFixed(2));
    lastSent = position;
    if (beacon && navigator.sendBeacon) {
      navigator.sendBeacon(cfg.heartbeatUrl, body);
      return;
    }
    // One at a time, in order: the server credits playback by arrival time, so a "pause" and the
    // "end" right after it must not overtake each other (the second would credit nothing).
    outbox = outbox.then(function () {
      return post(body).then(function (response) {
        if (response.status !== 403) return null;
        // The token expired (a sleeping laptop, a frozen tab): renew it while logged in, send again.
        var stale = body.get("token");
        return renew().then(function () {
          if (token === stale) return null;
          body.set("token", token);
          return post(body);
        });
      }).catch(function () { /* offline: the next heartbeat carries the position */ });
    });
  }

  function startTimer() {
    if (timer) return;
    timer = window.setInterval(function () {
      if (!video.paused && !video.seeking) send("tick", video.currentTime, false);
    }, HEARTBEAT_MS);
  }
  function stopTimer() { if (timer) { window.clearInterval(timer); timer = null; } }

  video.addEventListener("timeupdate", function () { if (!video.seeking) lastKnown = video.currentTime; });
  video.addEventListener("playing", function () {
    if (!continuous) { send("play", video.currentTime, false); continuous = true; }
    startTimer();
  });
  video.addEventListener("pause", function () {
    if (video.seeking) return;
    send("pause", video.currentTime, false);
    continuous = false;
    stopTimer();
  });
  video.addEventListener("seeking", function () {
    if (continuous) send("tick", lastKnown, false); // credit what was played before the jump
    continuous = false;
  });
  video.addEventListener("seeked", function () {
    lastKnown = video.currentTime;
    send("seek", video.currentTime, false);
    continuous = !video.paused;
  });
  video.addEventListener("ended", function () {
    send("end", video.currentTime, false);
    continuous = false;
    stopTimer();
    if (!upNext()) {
      var next = document.getElementById("next-lecture");
      if (next) next.focus();
    }
  });
  function leave() { if (continuous || !video.paused) { send("hide", video.currentTime, true); continuous = false; } }
  window.addEventListener("pagehide", leave);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      if (!video.paused) send("tick", video.currentTime, true);
    }
  });

  /* --- Speed ----------------------------------------------------------------------------------- */
  var speed = document.getElementById("player-speed");
  var speeds = [0.75, 1, 1.25, 1.5, 1.75, 2];
  function setSpeed(value) {
    value = Math.min(2, Math.max(0.75, value));
    video.playbackRate = value;
    video.defaultPlaybackRate = value;
    if (speed) speed.value = String(value);
    try { window.localStorage.setItem("omooc-speed", String(value)); } catch (e) { /* private mode */ }
  }
  function announceSpeed() { say(fill(cfg.saidSpeed, { value: video.playbackRate + "×" })); }
  if (speed) speed.addEventListener("change", function () { setSpeed(parseFloat(speed.value)); announceSpeed(); });
  try {
    var saved = parseFloat(window.localStorage.getItem("omooc-speed") || "");
    if (speeds.indexOf(saved) !== -1) setSpeed(saved);
  } catch (e) { /* ignore */ }
  video.addEventListener("loadedmetadata", function () { if (speed) video.playbackRate = parseFloat(speed.value); });

  /* --- Keyboard -------------------------------------------------------------------------------- */
  function activeTrack() {
    for (var i = 0; i < video.textTracks.length; i++) if (video.textTracks[i].mode === "showing") return video.textTracks[i];
    return null;
  }
  var lastCaption = null;
  function toggleCaptions() {
    var showing = activeTrack();
    if (showing) { showing.mode = "hidden"; lastCaption = showing; return; }
    var track = lastCaption || video.textTracks[0];
    if (track) track.mode = "showing";
  }
  function seekBy(delta) {
    var max = isFinite(video.duration) ? video.duration : Infinity;
    video.currentTime = Math.min(max, Math.max(0, video.currentTime + delta));
  }
  root.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "select" || tag === "input" || tag === "textarea" || tag === "button" || event.ctrlKey || event.metaKey || event.altKey) return;
    var handled = true;
    switch (event.key) {
      case " ": case "k": if (video.paused) video.play(); else video.pause(); break;
      case "j": seekBy(-10); break;
      case "l": seekBy(10); break;
      case "ArrowLeft": seekBy(-5); break;
      case "ArrowRight": seekBy(5); break;
      case "c": if (captionWas === null) captionWas = captionNow(); toggleCaptions(); break;
      case "<": setSpeed(speeds[Math.max(0, speeds.indexOf(video.playbackRate) - 1)] || 1); announceSpeed(); break;
      case ">": setSpeed(speeds[Math.min(speeds.length - 1, speeds.indexOf(video.playbackRate) + 1)] || 1); announceSpeed(); break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  });

  /* --- Transcript: built from the caption cues; click a line to seek; search filters ---------- */
  var list = document.getElementById("transcript-list");
  var search = document.getElementById("transcript-search");
  var countEl = document.getElementById("transcript-count");
  var transcriptTrack = null;
  var items = [];

  function pickTranscriptTrack() {
    var tracks = video.textTracks, preferred = null;
    for (var i = 0; i < tracks.length; i++) {
      if (tracks[i].mode === "showing") return tracks[i];
      if (!preferred && tracks[i].language === cfg.language) preferred = tracks[i];
    }
    return preferred || tracks[0] || null;
  }

  function buildTranscript() {
    if (!list || !transcriptTrack || !transcriptTrack.cues || !transcriptTrack.cues.length) return;
    list.textContent = "";
    items = [];
    for (var i = 0; i < transcriptTrack.cues.length; i++) {
      var cue = transcriptTrack.cues[i];
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.dataset.start = String(cue.startTime);
      var time = document.createElement("span");
      time.className = "transcript-time";
      time.textContent = clock(cue.startTime);
      button.appendChild(time);
      button.appendChild(document.createTextNode(cue.text.replace(/<[^>]+>/g, "")));
      li.appendChild(button);
      list.appendChild(li);
      items.push({ li: li, start: cue.startTime, end: cue.endTime, text: cue.text.toLowerCase() });
    }
    filter();
  }

  if (list) {
    list.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) return;
      video.currentTime = parseFloat(button.dataset.start);
      if (video.paused) video.play();
    });
  }
  function filter() {
    if (!search) return;
    var needle = search.value.trim().toLowerCase(), shown = 0;
    items.forEach(function (item) {
      var hit = !needle || item.text.indexOf(needle) !== -1;
      item.li.classList.toggle("is-hidden", !hit);
      if (hit) shown += 1;
    });
    if (countEl) countEl.textContent = needle ? shown + " / " + items.length : "";
  }
  if (search) search.addEventListener("input", filter);

  video.addEventListener("timeupdate", function () {
    var t = video.currentTime;
    items.forEach(function (item) { item.li.classList.toggle("is-active", t >= item.start && t < item.end); });
  });

  function setupTranscript() {
    transcriptTrack = pickTranscriptTrack();
    if (!transcriptTrack) return;
    if (transcriptTrack.mode === "disabled") transcriptTrack.mode = "hidden"; // loads the cues
    var trackEls = video.querySelectorAll("track");
    for (var i = 0; i < trackEls.length; i++) {
      if (trackEls[i].track === transcriptTrack) {
        if (trackEls[i].readyState === 2) buildTranscript();
        trackEls[i].addEventListener("load", buildTranscript);
      }
    }
  }

  /* --- Quality: "Auto" plus one entry per rendition, from hls.js's levels ------------------------ */
  var quality = document.getElementById("player-quality");
  function setupQuality(hls) {
    if (!quality) return;
    hls.on(window.Hls.Events.MANIFEST_PARSED, function (event, data) {
      var levels = (data.levels || []).map(function (level, index) { return { index: index, height: level.height }; });
      levels.sort(function (a, b) { return b.height - a.height; });
      levels.forEach(function (level) {
        var option = document.createElement("option");
        option.value = String(level.index);
        option.textContent = level.height ? level.height + "p" : String(level.index + 1);
        quality.appendChild(option);
      });
      quality.hidden = false;
      var label = document.querySelector(".player-quality-label");
      if (label) label.hidden = false;
    });
    hls.on(window.Hls.Events.LEVEL_SWITCHED, function (event, data) {
      var level = hls.levels[data.level];
      quality.options[0].textContent = cfg.saidAuto + (hls.autoLevelEnabled && level ? " (" + level.height + "p)" : "");
    });
    quality.addEventListener("change", function () {
      var value = parseInt(quality.value, 10);
      hls.currentLevel = value; // -1: automatic, by bandwidth
      var chosen = quality.options[quality.selectedIndex];
      say(fill(cfg.saidQuality, { value: value === -1 ? cfg.saidAuto : chosen.textContent }));
    });
  }

  /* --- Captions: announce on and off; size and background, remembered ------------------------- */
  var captionWas = null; // what was announced last ("" = off); null until the player has settled
  function captionNow() { var t = activeTrack(); return t ? t.label || t.language : ""; }
  function announceCaptions() {
    var now = captionNow();
    if (captionWas === null || now === captionWas) { captionWas = now; return; }
    captionWas = now;
    say(now ? fill(cfg.saidCaptions, { value: now }) : cfg.saidCaptionsOff);
  }
  video.textTracks.addEventListener("change", announceCaptions);
  video.addEventListener("loadedmetadata", function () { if (captionWas === null) captionWas = captionNow(); });
  var sizeSelect = document.getElementById("player-caption-size");
  var backdrop = document.getElementById("player-caption-bg");
  function setCaptionSize(size, announce) {
    ["s", "m", "l", "xl"].forEach(function (s) { root.classList.toggle("captions-" + s, s === size); });
    if (sizeSelect) sizeSelect.value = size;
    remember("omooc-caption-size", size);
    if (announce && sizeSelect) say(fill(cfg.saidCaptionSize, { value: sizeSelect.options[sizeSelect.selectedIndex].textContent }));
  }
  if (sizeSelect) {
    sizeSelect.addEventListener("change", function () { setCaptionSize(sizeSelect.value, true); });
    var savedSize = recall("omooc-caption-size");
    setCaptionSize(["s", "m", "l", "xl"].indexOf(savedSize) !== -1 ? savedSize : "m", false);
  }
  if (backdrop) {
    backdrop.checked = recall("omooc-caption-bg") === "1";
    root.classList.toggle("captions-solid", backdrop.checked);
    backdrop.addEventListener("change", function () {
      root.classList.toggle("captions-solid", backdrop.checked);
      remember("omooc-caption-bg", backdrop.checked ? "1" : "0");
    });
  }

  /* --- Continue where you stopped, or start over ---------------------------------------------- */
  var prompt = document.getElementById("resume-prompt");
  var startOver = document.getElementById("start-over");
  if (startOver) {
    startOver.addEventListener("click", function () {
      video.currentTime = 0;
      if (prompt) prompt.hidden = true;
      say(cfg.saidStartOver);
      video.focus();
    });
  }
  video.addEventListener("timeupdate", function () {
    if (prompt && !prompt.hidden && video.currentTime > resume + 15) prompt.hidden = true;
  });

  /* --- Up next: a countdown at the end that the learner can cancel ----------------------------- */
  var UP_NEXT_SECONDS = 10;
  var panel = document.getElementById("up-next");
  var countdown = null;
  function stopCountdown() { if (countdown) { window.clearInterval(countdown); countdown = null; } }
  function upNext() {
    if (!panel) return false;
    var left = UP_NEXT_SECONDS;
    var count = document.getElementById("up-next-count");
    var play = document.getElementById("up-next-play");
    function tick() {
      var text = fill(cfg.saidUpNext, { seconds: left });
      if (count) count.textContent = text;
      if (left === UP_NEXT_SECONDS) say(text);
      if (left <= 0) { stopCountdown(); window.location.assign(play.href); }
      left -= 1;
    }
    panel.hidden = false;
    stopCountdown();
    tick();
    countdown = window.setInterval(tick, 1000);
    if (play) play.focus();
    return true;
  }
  var cancel = document.getElementById("up-next-cancel");
  if (cancel) {
    cancel.addEventListener("click", function () {
      stopCountdown();
      if (panel) panel.hidden = true;
      say(cfg.saidUpNextCancelled);
      var next = document.getElementById("next-lecture");
      if (next) next.focus();
    });
  }
  video.addEventListener("play", function () { stopCountdown(); if (panel) panel.hidden = true; });

  if (resume > 0) say(cfg.resumedText + " " + clock(resume));
  attach();
  setupTranscript();
  root.dataset.ready = "true"; // lets tests (and styles) know the controls are live
})();
