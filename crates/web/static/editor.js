// Live preview for the summary editor. While you type, the text is posted to the
// server's /preview (after a short pause) and the rendered, sanitised fragment is shown
// under the text box: the same renderer as the saved page. Without this script the
// Preview button does the same with a full page load.
(function () {
  "use strict";
  var form = document.querySelector("form.editor[data-preview-url]");
  if (!form || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var textarea = form.querySelector("textarea[name=markdown]");
  var box = form.querySelector(".live-preview");
  var out = form.querySelector(".live-preview-out");
  if (!textarea || !box || !out) {
    return;
  }
  var url = form.getAttribute("data-preview-url");
  var timer = null;
  var pending = null;
  var shown = null;
  var seq = 0;

  function update() {
    var text = textarea.value;
    if (text === shown) {
      return;
    }
    if (!text.trim()) {
      shown = text;
      box.hidden = true;
      out.textContent = "";
      return;
    }
    var mine = ++seq;
    if (pending && pending.abort) {
      pending.abort();
    }
    pending = window.AbortController ? new AbortController() : null;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ markdown: text }).toString(),
      signal: pending ? pending.signal : undefined
    })
      .then(function (response) {
        // Too many previews in a short time: keep the last one, try again on the next pause.
        if (response.status === 429) {
          return null;
        }
        return response.text();
      })
      .then(function (html) {
        if (html === null || mine !== seq) {
          return;
        }
        shown = text;
        // Rendered and sanitised by the server, exactly as the saved summary will be.
        out.innerHTML = html;
        box.hidden = false;
      })
      .catch(function () {
        // Offline or aborted: the Preview button still works.
      });
  }

  textarea.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 500);
  });
  update();
})();
