// Follows an assignment run on its page: polls the run's status and reloads the page once it has ended.
// Without JavaScript, the page's <noscript> refresh does the same.
(function () {
  "use strict";
  var box = document.querySelector("[data-run-status-url]");
  if (!box) {
    return;
  }
  var url = box.getAttribute("data-run-status-url");
  var bar = box.querySelector("progress");
  var status = box.querySelector("[data-run-status]");
  var stage = box.querySelector("[data-run-stage]");

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (state) {
        if (state.done) {
          window.location.reload();
          return;
        }
        bar.value = state.progress;
        bar.textContent = state.progress + "%";
        status.textContent = state.status_label;
        stage.textContent = state.stage_label;
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1000);
})();
