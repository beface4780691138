// The CV template, made pleasant when JavaScript runs; everything here also works without it:
// - rows are added from the formset's <template> and removed in place (without it: "Add another" posts the form
//   and gets it back with one more row; "Delete" is ticked and saved);
// - the error summary takes the focus, and a link to a field opens the folded section or chapter that holds it;
// - each section says whether it is complete, and the list at the top counts them;
// - the CV's size is checked before the upload, with the server's message in the label's units;
// - an article's level is cleared when it is unticked, and choosing a level ticks it;
// - what is typed is kept as a draft every few seconds (not the file), so that a closed tab costs nothing.
(function () {
  "use strict";

  var form = document.querySelector("form[data-cv-template]");
  if (!form) { return; }
  var language = document.documentElement.lang || undefined;

  function fill(text, values) {
    return Object.keys(values).reduce(function (result, key) {
      return result.split("%(" + key + ")s").join(values[key]);
    }, text);
  }

  // --- rows -------------------------------------------------------------------------------------------------
  function enhanceRow(row, container) {
    var remove = row.querySelector("input[type=checkbox][name$='-DELETE']");
    if (!remove || row.querySelector("[data-remove-row]")) { return; }
    var field = remove.closest(".field");
    if (field) { field.hidden = true; }
    var legend = row.querySelector("legend");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary remove-row";
    button.setAttribute("data-remove-row", "");
    button.textContent = container.getAttribute("data-remove-label");
    if (legend) { button.setAttribute("aria-label", container.getAttribute("data-remove-label") + " " + legend.textContent.trim()); }
    button.addEventListener("click", function () {
      remove.checked = true;
      row.hidden = true;
      var add = form.querySelector("[data-add-row='" + container.getAttribute("data-rows") + "']");
      if (add) { add.focus(); }
      updateProgress();
    });
    row.appendChild(button);
  }

  form.querySelectorAll("[data-rows]").forEach(function (container) {
    var prefix = container.getAttribute("data-rows");
    var total = form.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var empty = form.querySelector("template[data-empty-row='" + prefix + "']");
    var add = form.querySelector("[data-add-row='" + prefix + "']");
    container.querySelectorAll("[data-row]").forEach(function (row) { enhanceRow(row, container); });
    if (!total || !empty || !add) { return; }
    // With JavaScript the button adds the row here; it no longer submits, so Enter in a field saves the form.
    add.type = "button";
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = empty.innerHTML.split("__prefix__").join(String(index)).split("__number__").join(String(index + 1));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.querySelector("[data-row]");
      container.appendChild(row);
      total.value = String(index + 1);
      enhanceRow(row, container);
      var first = row.querySelector("input:not([type=hidden]):not([type=checkbox]), select, textarea");
      if (first) { first.focus(); }
      updateProgress();
    });
  });

  // --- errors -----------------------------------------------------------------------------------------------
  function reveal(target) {
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
  }

  var summary = document.getElementById("form-errors");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      event.preventDefault();
      reveal(target);
      target.scrollIntoView({ block: "center" });
      var focusable = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
      (focusable || target).focus();
    });
  }

  // --- progress ---------------------------------------------------------------------------------------------
  var progress = form.querySelector("[data-progress]");

  function filled(element) {
    if (element.type === "checkbox" || element.type === "radio") { return element.checked; }
    return element.value.trim() !== "";
  }

  function sectionState(section) {
    var visible = function (element) { return !element.closest("[hidden]"); };
    var required = Array.prototype.filter.call(section.querySelectorAll("[required]"), visible);
    var needsOne = section.getAttribute("data-needs-one");
    var ones = needsOne ? Array.prototype.filter.call(section.querySelectorAll(needsOne), visible) : [];
    var entered = Array.prototype.filter.call(
      section.querySelectorAll("input:not([type=hidden]):not([type=search]), select, textarea"), visible
    ).some(filled);
    if (!required.every(filled) || (needsOne && !ones.some(filled))) { return "todo"; }
    if (!required.length && !needsOne && !entered) { return "optional"; }
    return "done";
  }

  function updateProgress() {
    if (!progress) { return; }
    var sections = form.querySelectorAll("[data-section]");
    var done = 0;
    sections.forEach(function (section) {
      var state = sectionState(section);
      if (state === "done") { done += 1; }
      form.querySelectorAll("[data-state-for='" + section.id + "']").forEach(function (label) {
        label.textContent = "(" + progress.getAttribute("data-" + state) + ")";
        label.className = "section-state " + state;
      });
    });
    var line = progress.querySelector("[data-progress-summary]");
    line.hidden = false;
    line.textContent = fill(progress.getAttribute("data-summary"), { done: done, total: sections.length });
  }

  form.addEventListener("input", updateProgress);
  form.addEventListener("change", updateProgress);
  updateProgress();

  // --- articles ---------------------------------------------------------------------------------------------
  form.querySelectorAll("[data-article]").forEach(function (item) {
    var tick = item.querySelector("input[type=checkbox]");
    var level = item.querySelector("select");
    if (!tick || !level) { return; }
    tick.addEventListener("change", function () { if (!tick.checked) { level.value = ""; } });
    level.addEventListener("change", function () { if (level.value) { tick.checked = true; } });
  });

  // --- the CV's size ----------------------------------------------------------------------------------------
  form.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
    var megabytes = function (size, up) {
      var tenths = (up ? Math.ceil : Math.round)(size / 1048576 * 10) / 10;
      return tenths.toLocaleString(language, { maximumFractionDigits: 1 });
    };
    var message = document.createElement("p");
    message.className = "error";
    message.id = input.id + "_size_error";
    message.setAttribute("role", "alert");
    message.hidden = true;
    input.insertAdjacentElement("afterend", message);
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (file && file.size > limit) {
        message.textContent = fill(input.getAttribute("data-too-large"), {
          size: megabytes(file.size, true), limit: megabytes(limit, false)
        });
        message.hidden = false;
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", message.id);
        input.value = "";
      } else {
        message.hidden = true;
        input.removeAttribute("aria-invalid");
      }
    });
  });

  // --- autosave ---------------------------------------------------------------------------------------------
  var autosaveUrl = form.getAttribute("data-autosave-url");
  var draftField = form.querySelector("[data-draft-field]");
  var status = form.querySelector("[data-autosave-status]");
  if (autosaveUrl && draftField) {
    var dirty = false;
    var saving = false;
    var stopped = false;
    var keep = function () {
      if (!dirty || saving || stopped) { return; }
      var body = new FormData(form);
      body.delete("profile-cv");
      body.delete("action");
      body.delete("kept_input_owner");
      dirty = false;
      saving = true;
      fetch(autosaveUrl, { method: "POST", body: body, credentials: "same-origin", redirect: "manual" })
        .then(function (response) {
          saving = false;
          // Signed out (a redirect to sign in): the session warning says so; the next save keeps the input.
          if (response.status !== 200) { stopped = response.type === "opaqueredirect"; return null; }
          return response.json();
        }, function () { saving = false; dirty = true; })
        .then(function (answer) {
          if (!answer) { return; }
          draftField.value = String(answer.draft);
          if (status) { status.textContent = fill(form.getAttribute("data-autosave-saved"), { time: answer.saved_at }); }
          document.dispatchEvent(new CustomEvent("portal:activity"));
        });
    };
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("toggle", keep, true);
    document.addEventListener("visibilitychange", function () { if (document.hidden) { keep(); } });
    setInterval(keep, 10000);
    // Saving the form itself makes the draft needless; the server discards it with the save.
    form.addEventListener("submit", function () { stopped = true; });
  }
})();
