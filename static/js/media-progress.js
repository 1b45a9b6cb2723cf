/* Live transcoding progress on the studio's lecture media page: polls each active video's JSON status
 * and updates its <progress>, text, badge and error; reloads once a video is done (ready, refused or
 * failed) so the page shows the result and the retry button. */
(function () {
  "use strict";

  var list = document.querySelector(".video-list");
  if (!list) { return; }
  var etaTemplate = list.dataset.etaTemplate || "%s";

  function duration(seconds) {
    if (seconds >= 3600) { return Math.floor(seconds / 3600) + " h " + Math.round((seconds % 3600) / 60) + " min"; }
    if (seconds >= 60) { return Math.floor(seconds / 60) + " min " + (seconds % 60) + " s"; }
    return seconds + " s";
  }

  function watch(card) {
    var bar = card.querySelector(".video-progress progress");
    var text = card.querySelector("[data-video-progress-text]");
    var badge = card.querySelector("[data-video-badge]");
    var errorBox = card.querySelector("[data-video-error]");
    var url = card.dataset.videoStatusUrl;

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (status) {
          if (!status) { window.setTimeout(poll, 5000); return; }
          bar.value = status.progress_percent;
          bar.textContent = status.progress_percent + "%";
          var line = status.progress_percent + "%";
          if (status.eta_seconds) { line += " · " + etaTemplate.replace("%s", duration(status.eta_seconds)); }
          text.textContent = line;
          badge.textContent = status.status_display;
          if (status.error) { errorBox.textContent = status.error; errorBox.hidden = false; }
          if (status.active) { window.setTimeout(poll, 2000); } else { window.location.reload(); }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    }
    window.setTimeout(poll, 1000);
  }

  list.querySelectorAll("[data-video-active=true]").forEach(watch);
})();
