// Suggestions for the search box on every page, where JavaScript runs: as the reader types,
// the names the search finds fill the box's list; choosing one opens its page. Without
// JavaScript the box is a plain form to /search, which shows the same results.
(function () {
  "use strict";
  var form = document.querySelector("form.search");
  if (!form || !window.fetch) return;
  var input = form.querySelector("input[name=q]");
  var list = document.getElementById(input.getAttribute("list"));
  var pages = {}; // suggestion text -> its page
  var timer = null;
  var asked = "";

  function suggest() {
    var text = input.value.trim();
    if (!text || text === asked) return;
    asked = text;
    fetch("/search?limit=8&q=" + encodeURIComponent(text), {
      headers: { Accept: "application/json" },
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (found) {
        if (!found || text !== input.value.trim()) return;
        list.textContent = "";
        pages = {};
        found.results.forEach(function (hit) {
          var option = document.createElement("option");
          var shown = hit.label_zh ? hit.label + " " + hit.label_zh : hit.label;
          option.value = shown;
          option.label = hit.kind ? shown + " (" + hit.kind + ")" : shown;
          pages[shown] = hit.page;
          list.appendChild(option);
        });
      })
      .catch(function () { /* no suggestions: the form still works */ });
  }

  input.addEventListener("input", function () {
    var chosen = pages[input.value];
    if (chosen) {
      window.location.href = chosen;
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(suggest, 150);
  });
  form.addEventListener("submit", function (event) {
    var chosen = pages[input.value];
    if (chosen) {
      event.preventDefault();
      window.location.href = chosen;
    }
  });
})();
