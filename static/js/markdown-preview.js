// A "Preview" button under each Markdown field that names a preview address (data-preview,
// set by archive/forms.py offer_preview): the text is rendered by Jugan's own pipeline
// (PostAdmin.preview, the renderer used when saving, sanitised there) and shown under the
// field as readers will see it. Without this script the fields are plain text areas.
(function () {
  "use strict";

  function attach(field) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button markdown-preview-button";
    button.textContent = field.dataset.previewLabel;
    button.setAttribute("aria-controls", field.id + "-preview");
    var shown = document.createElement("div");
    shown.id = field.id + "-preview";
    shown.className = "markdown-preview";
    shown.hidden = true;
    shown.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", button);
    button.insertAdjacentElement("afterend", shown);

    button.addEventListener("click", function () {
      var token = field.form && field.form.elements.csrfmiddlewaretoken;
      var body = new URLSearchParams();
      body.append("text", field.value);
      if (token) body.append("csrfmiddlewaretoken", token.value);
      fetch(field.dataset.preview, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          shown.hidden = false;
          if (data.html !== undefined) {
            // Sanitised by the server, exactly as it will be saved.
            shown.innerHTML = data.html;
          } else {
            shown.textContent = data.error || "";
          }
        })
        .catch(function () { shown.hidden = true; });
    });
  }

  function start() {
    document.querySelectorAll("textarea[data-preview]").forEach(attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
