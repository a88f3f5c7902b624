// Votes without a page load: the vote form is posted with fetch, asking for JSON, and
// the count and pressed state are updated in place. Any failure falls back to the
// ordinary form post, which works without this script.
(function () {
  "use strict";
  if (!window.fetch || !window.URLSearchParams) {
    return;
  }
  function label(up, down) {
    var net = up - down;
    return net > 0 ? "+" + net : net < 0 ? "\u2212" + -net : "0";
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form.vote")) {
      return;
    }
    var button = event.submitter;
    if (!button || button.name !== "value") {
      return;
    }
    event.preventDefault();
    var body = new URLSearchParams();
    body.set("value", button.value);
    var back = form.querySelector("input[name=back]");
    body.set("back", back ? back.value : "");
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Accept": "application/json",
        "Content-Type": "application/x-www-form-urlencoded"
      },
      body: body.toString()
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("vote refused");
        }
        return response.json();
      })
      .then(function (vote) {
        var count = form.querySelector(".votes");
        if (count) {
          count.firstChild.nodeValue = label(vote.up, vote.down);
          count.title = vote.up + " up, " + vote.down + " down";
        }
        var up = form.querySelector(".vote-up");
        var down = form.querySelector(".vote-down");
        if (up) {
          up.setAttribute("aria-pressed", vote.value > 0 ? "true" : "false");
          up.value = vote.value > 0 ? "none" : "up";
        }
        if (down) {
          down.setAttribute("aria-pressed", vote.value < 0 ? "true" : "false");
          down.value = vote.value < 0 ? "none" : "down";
        }
      })
      .catch(function () {
        // Post the form the ordinary way, with the button's value.
        var field = document.createElement("input");
        field.type = "hidden";
        field.name = "value";
        field.value = button.value;
        form.appendChild(field);
        HTMLFormElement.prototype.submit.call(form);
      });
  });
})();
