// The post form's topic field suggests existing topics as the curator types. The field stays a
// plain comma-separated text field (and works as one without this script); suggestions come
// from Jugan itself (TopicAdmin.suggest, named by the field's data-suggestions attribute) and
// are offered through the browser's own <datalist>: each option is the whole field as it would
// read with the topic being typed completed, so choosing one keeps the topics before it.
(function () {
  "use strict";

  var DELAY_MS = 150;

  function quoted(name) {
    // Topics are split at commas; a name with a space or comma is written in quotes.
    return /[\s,]/.test(name) ? '"' + name.replace(/"/g, "") + '"' : name;
  }

  function attach(input) {
    var list = document.createElement("datalist");
    list.id = input.id + "-suggestions";
    input.insertAdjacentElement("afterend", list);
    input.setAttribute("list", list.id);
    var timer = null;
    var controller = null;

    function show(topics) {
      var comma = input.value.lastIndexOf(",");
      var before = comma < 0 ? "" : input.value.slice(0, comma + 1) + " ";
      list.replaceChildren.apply(list, topics.map(function (topic) {
        var option = document.createElement("option");
        option.value = before + quoted(topic.name);
        option.label = topic.name_en ? topic.name + " · " + topic.name_en : topic.name;
        return option;
      }));
    }

    function refresh() {
      var typed = input.value.slice(input.value.lastIndexOf(",") + 1).trim();
      if (controller) controller.abort();
      if (!typed) {
        show([]);
        return;
      }
      controller = new AbortController();
      var address = new URL(input.dataset.suggestions, window.location.href);
      address.searchParams.set("q", typed);
      fetch(address, {
        signal: controller.signal,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) { return response.ok ? response.json() : { topics: [] }; })
        .then(function (data) { show(data.topics); })
        .catch(function () { /* aborted by newer typing, or offline: no suggestions */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, DELAY_MS);
    });
  }

  function start() {
    document.querySelectorAll("input[data-suggestions]").forEach(attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
