// Copy buttons beside feed addresses (templates/includes/feed_address.html). The buttons are
// hidden in the HTML, so without this script a reader sees the address as plain text to select;
// with it, one click puts the address on the clipboard and the button says so (announced to
// screen readers too, through one polite live region).
(function () {
  "use strict";

  var SHOWN_MS = 2000;

  function statusRegion() {
    var region = document.getElementById("copy-status");
    if (!region) {
      region = document.createElement("p");
      region.id = "copy-status";
      region.className = "visually-hidden";
      region.setAttribute("role", "status");
      document.body.append(region);
    }
    return region;
  }

  function copyBySelecting(text) {
    // For pages served over plain HTTP, where browsers offer no clipboard API.
    var field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.className = "visually-hidden";
    document.body.append(field);
    field.select();
    var copied = document.execCommand("copy");
    field.remove();
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        return copyBySelecting(text);
      });
    }
    return copyBySelecting(text);
  }

  function attach(button) {
    var label = button.firstChild.textContent;
    button.addEventListener("click", function () {
      copy(button.dataset.address).then(function () {
        button.firstChild.textContent = button.dataset.copied;
        button.classList.add("copied");
        statusRegion().textContent = button.dataset.copied;
        window.setTimeout(function () {
          button.firstChild.textContent = label;
          button.classList.remove("copied");
        }, SHOWN_MS);
      }, function () {
        // Nothing was copied: select the address so the reader can copy it by hand.
        var address = button.parentElement.querySelector(".feed-address");
        window.getSelection().selectAllChildren(address);
      });
    });
    button.hidden = false;
  }

  document.querySelectorAll("button.copy-address[data-address]").forEach(attach);
})();
