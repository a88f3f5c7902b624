// Title suggestions for the search page's box: fills its <datalist> from
// /search/typeahead as the visitor types. Search works the same without it.
(function () {
  "use strict";
  var list = document.getElementById("search-titles");
  if (!list || !window.fetch) {
    return;
  }
  var timer = null;
  var asked = "";

  function fill(items) {
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.title;
      list.appendChild(option);
    });
  }

  function suggest(text) {
    if (text === asked) {
      return;
    }
    asked = text;
    if (text.trim().length < 3) {
      fill([]);
      return;
    }
    fetch("/search/typeahead?q=" + encodeURIComponent(text), {
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    })
      .then(function (r) {
        return r.ok ? r.json() : [];
      })
      .then(function (items) {
        // A slower answer to an older text must not replace a newer one.
        if (text === asked && Array.isArray(items)) {
          fill(items);
        }
      })
      .catch(function () {});
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input || input.getAttribute("list") !== "search-titles") {
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(function () {
      suggest(input.value);
    }, 150);
  });
})();
