/* Recording upload with a progress bar (studio, lecture media page).
 * Local storage: the form is posted to Django with XHR (the file streams to disk server-side).
 * S3 storage: a presigned POST is requested, the browser sends the file straight to the bucket,
 * then tells the server the upload is complete. Without JS the form still posts normally (local). */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function formatBytes(bytes) {
    var units = ["B", "KB", "MB", "GB", "TB"];
    var i = 0;
    while (bytes >= 1024 && i < units.length - 1) { bytes /= 1024; i += 1; }
    return bytes.toFixed(i ? 1 : 0) + " " + units[i];
  }

  function setup(form) {
    var fileInput = form.querySelector("input[type=file]");
    var box = form.querySelector(".upload-progress");
    var bar = form.querySelector(".upload-progress progress");
    var text = form.querySelector("[data-upload-progress-text]");
    var errorBox = form.querySelector("[data-upload-error]");
    var button = form.querySelector("button[type=submit]");

    function showError(message) {
      errorBox.textContent = message || form.dataset.failedMessage;
      errorBox.hidden = false;
      button.disabled = false;
    }

    function progress(loaded, total) {
      var percent = total ? Math.floor((loaded / total) * 100) : 0;
      bar.value = percent;
      bar.textContent = percent + "%";
      text.textContent = percent + "% · " + formatBytes(loaded) + " / " + formatBytes(total);
    }

    function messageOf(xhr) {
      try { return JSON.parse(xhr.responseText).message; } catch (e) { return ""; }
    }

    function send(url, data, headers, onDone) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      Object.keys(headers).forEach(function (name) { xhr.setRequestHeader(name, headers[name]); });
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) { progress(event.loaded, event.total); }
      });
      xhr.addEventListener("load", function () { onDone(xhr); });
      xhr.addEventListener("error", function () { showError(); });
      xhr.addEventListener("abort", function () { showError(); });
      xhr.send(data);
      return xhr;
    }

    function json(url, data, onDone) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.setRequestHeader("Accept", "application/json");
      xhr.addEventListener("load", function () { onDone(xhr); });
      xhr.addEventListener("error", function () { showError(); });
      xhr.send(data);
    }

    function finished() {
      progress(1, 1);
      window.location.reload();
    }

    form.addEventListener("submit", function (event) {
      var file = fileInput && fileInput.files[0];
      if (!file) { return; } // let the server say the file is missing
      event.preventDefault();
      errorBox.hidden = true;
      if (file.size > Number(form.dataset.maxBytes)) {
        showError(form.dataset.tooLargeMessage);
        return;
      }
      button.disabled = true;
      box.hidden = false;
      progress(0, file.size);

      if (form.dataset.uploadMode === "direct") {
        var start = new FormData();
        start.append("filename", file.name);
        start.append("size", String(file.size));
        json(form.dataset.startUrl, start, function (xhr) {
          if (xhr.status !== 201) { showError(messageOf(xhr)); return; }
          var ticket = JSON.parse(xhr.responseText);
          var data = new FormData();
          Object.keys(ticket.fields).forEach(function (name) { data.append(name, ticket.fields[name]); });
          data.append("file", file);
          send(ticket.url, data, {}, function (upload) {
            if (upload.status < 200 || upload.status >= 300) { showError(); return; }
            json(ticket.complete_url, new FormData(), function (done) {
              if (done.status !== 200) { showError(messageOf(done)); return; }
              finished();
            });
          });
        });
        return;
      }

      send(form.action, new FormData(form), {
        "X-CSRFToken": csrfToken(form),
        "X-Requested-With": "XMLHttpRequest",
        "Accept": "application/json"
      }, function (xhr) {
        if (xhr.status === 201) { finished(); return; }
        showError(messageOf(xhr));
      });
    });
  }

  document.querySelectorAll("form.upload-form").forEach(setup);
})();
