// A search field above a long list of choices (countries): typing hides what does not match.
// Progressive enhancement: without this script the whole list shows and the form works the same.
// Works on a box of checkboxes ([data-choice-filter] holding <li>s) and on a <select data-choice-filter>.
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function searchField(list, index) {
    var id = (list.id || "choice-filter-" + index) + "-search";
    var wrapper = document.createElement("div");
    wrapper.className = "choice-search";
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = list.getAttribute("data-filter-label") || "Search";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    input.setAttribute("aria-controls", list.id);
    wrapper.appendChild(label);
    wrapper.appendChild(input);
    list.parentNode.insertBefore(wrapper, list);
    return input;
  }

  function filterCheckboxes(list, input) {
    var items = Array.prototype.slice.call(list.querySelectorAll("li"));
    var texts = items.map(function (item) { return fold(item.textContent); });
    input.addEventListener("input", function () {
      var query = fold(input.value);
      items.forEach(function (item, i) {
        // A ticked country stays in view, so that what is chosen is never hidden.
        var ticked = item.querySelector("input:checked");
        item.hidden = query !== "" && texts[i].indexOf(query) === -1 && !ticked;
      });
    });
    // Enter in the search field must not submit the whole form.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
  }

  function filterSelect(select, input) {
    var options = Array.prototype.slice.call(select.options);
    var texts = options.map(function (option) { return fold(option.textContent); });
    input.addEventListener("input", function () {
      var query = fold(input.value);
      var shown = options.filter(function (option, i) {
        return option.value === "" || option.selected || query === "" || texts[i].indexOf(query) !== -1;
      });
      select.replaceChildren.apply(select, shown);
      var matches = shown.filter(function (option) { return option.value !== ""; });
      if (query !== "" && matches.length === 1) { matches[0].selected = true; }
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); select.focus(); }
    });
  }

  document.querySelectorAll("[data-choice-filter]").forEach(function (list, index) {
    var input = searchField(list, index);
    if (list.tagName === "SELECT") { filterSelect(list, input); } else { filterCheckboxes(list, input); }
  });
})();
