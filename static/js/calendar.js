/* The studio calendar's week view (templates/production/calendar.html): drag an event onto another
   day or hour to move it. The drop posts the new start to the event's move endpoint (the one the
   "Move" link's form posts to, see production/scheduling/calendar_views.py) asking for JSON:
   200 moved (the page reloads and shows the message), 409 a location double booking (the dialog
   asks; "Book it anyway" posts again with confirm_double_booking), otherwise the message is shown.
   The event keeps its minutes past the hour and its length. No inline script: CSP-safe. */
(function () {
  "use strict";
  var grid = document.querySelector("[data-calendar-week]");
  var dialog = document.getElementById("move-dialog");
  if (!grid || !dialog || !window.fetch) return;
  var text = document.getElementById("move-dialog-text");
  var status = document.getElementById("move-status");
  var tokenInput = document.querySelector("#move-token input[name=csrfmiddlewaretoken]");
  var token = tokenInput ? tokenInput.value : "";
  var dragged = null;
  var pending = null;

  function showError(message) {
    status.textContent = message || dialog.getAttribute("data-failed");
    status.scrollIntoView({ block: "nearest" });
  }

  function move(url, startsAt, confirm) {
    status.textContent = "";
    var body = new FormData();
    body.append("starts_at", startsAt);
    if (confirm) body.append("confirm_double_booking", "1");
    grid.setAttribute("aria-busy", "true");
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": token }
    })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { status: response.status, data: data };
        });
      })
      .then(function (result) {
        grid.removeAttribute("aria-busy");
        if (result.status === 200 && result.data.ok) {
          window.location.reload();
        } else if (result.status === 409 && result.data.question) {
          pending = { url: url, startsAt: startsAt };
          text.textContent = result.data.question;
          dialog.showModal();
        } else {
          showError(result.data.message);
        }
      }, function () {
        grid.removeAttribute("aria-busy");
        showError();
      });
  }

  function slotOf(event) {
    return event.target.closest ? event.target.closest(".cal-slot") : null;
  }

  function unmark() {
    var marked = grid.querySelectorAll(".is-drop-target");
    for (var i = 0; i < marked.length; i++) marked[i].classList.remove("is-drop-target");
  }

  grid.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest(".cal-event[data-move-url]") : null;
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-move-url"));
    card.classList.add("is-dragging");
  });

  grid.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    unmark();
  });

  grid.addEventListener("dragover", function (event) {
    var slot = slotOf(event);
    if (!slot || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!slot.classList.contains("is-drop-target")) {
      unmark();
      slot.classList.add("is-drop-target");
    }
  });

  grid.addEventListener("drop", function (event) {
    var slot = slotOf(event);
    if (!slot || !dragged) return;
    event.preventDefault();
    var starts = dragged.getAttribute("data-starts"); // YYYY-MM-DDTHH:MM, local time
    var target = slot.getAttribute("data-slot") + ":" + starts.slice(14, 16);
    var url = dragged.getAttribute("data-move-url");
    dragged.classList.remove("is-dragging");
    dragged = null;
    unmark();
    if (target !== starts) move(url, target, false);
  });

  dialog.querySelector("[data-move-confirm]").addEventListener("click", function () {
    dialog.close();
    if (pending) move(pending.url, pending.startsAt, true);
    pending = null;
  });

  dialog.querySelector("[data-move-cancel]").addEventListener("click", function () {
    pending = null;
    dialog.close();
  });
})();
