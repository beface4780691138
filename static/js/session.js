// Warns a signed-in person before the session ends for lack of activity, and lets them stay signed in.
// Progressive enhancement: without it the session ends the same, and what a form sends afterwards is kept
// through the sign-in (portal/kept_input.py).
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script) { return; }
  var seconds = parseInt(script.getAttribute("data-seconds"), 10);
  if (!(seconds > 0)) { return; }
  var lead = Math.min(120, Math.floor(seconds / 4));
  var box = null;
  var timers = [];

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function show(text, withButton) {
    if (!box) {
      box = document.createElement("div");
      box.className = "session-warning message warning";
      box.setAttribute("role", "alert");
      var main = document.getElementById("main") || document.body;
      main.insertBefore(box, main.firstChild);
    }
    box.replaceChildren();
    var paragraph = document.createElement("p");
    paragraph.textContent = text;
    box.appendChild(paragraph);
    if (withButton) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = script.getAttribute("data-extend-label");
      button.addEventListener("click", extend);
      box.appendChild(button);
    }
    box.hidden = false;
  }

  function warn() {
    var minutes = Math.max(1, Math.round(lead / 60));
    show(script.getAttribute("data-warning").replace("%(minutes)s", String(minutes)), true);
  }

  function ended() {
    show(script.getAttribute("data-ended"), false);
    document.documentElement.setAttribute("data-session-ended", "");
  }

  function schedule() {
    timers.forEach(clearTimeout);
    timers = [setTimeout(warn, (seconds - lead) * 1000), setTimeout(ended, seconds * 1000)];
  }

  function extend() {
    fetch(script.getAttribute("data-extend-url"), {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      if (response.status === 204) {
        if (box) { box.hidden = true; }
        schedule();
      } else {
        ended();
      }
    }, ended);
  }

  // A request made by another script of the page (the CV template's autosave) is activity too.
  document.addEventListener("portal:activity", function () { if (box) { box.hidden = true; } schedule(); });
  schedule();
})();
