/* The production board (templates/production/board.html, ADR 0025): "select all" and the count of
   selected lectures for the bulk form, and a readable line when a change could not be sent at all.
   Everything else is plain forms that htmx (static/vendor/htmx.min.js) submits in place; without
   JavaScript they post and the page reloads. No inline script, no eval: the strict CSP holds. */
(function () {
  "use strict";
  var bulk = document.getElementById("board-bulk");
  if (!bulk) return;
  var all = document.getElementById("board-select-all");
  var count = document.getElementById("board-selected-count");
  var status = document.getElementById("board-status");

  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll('input.board-select[form="board-bulk"]'));
  }

  function update() {
    var list = boxes();
    var checked = list.filter(function (box) { return box.checked; }).length;
    count.textContent = count.dataset.template.replace("{count}", checked).replace("{total}", list.length);
    all.checked = list.length > 0 && checked === list.length;
    all.indeterminate = checked > 0 && checked < list.length;
  }

  document.querySelector("[data-board-select-all]").hidden = false;
  all.addEventListener("change", function () {
    boxes().forEach(function (box) { box.checked = all.checked; });
    update();
  });
  document.addEventListener("change", function (event) {
    if (event.target.classList && event.target.classList.contains("board-select")) update();
  });
  document.body.addEventListener("htmx:afterSettle", update);

  // A change that got no answer to show (network down, 403 after the session ended, 404, 500).
  function failed(event) {
    var xhr = event.detail && event.detail.xhr;
    var code = xhr && xhr.status ? " (" + xhr.status + ")" : "";
    var line = document.createElement("p");
    line.className = "message message-error";
    line.textContent = (status.dataset.failed || "The change was not saved.") + code;
    status.replaceChildren(line);
  }
  document.body.addEventListener("htmx:responseError", failed);
  document.body.addEventListener("htmx:sendError", failed);
  update();
})();
