// The week board's drag and drop (templates/admin/archive/week/board.html). Without this script
// the board is a plain form whose up and down buttons reorder the week; with it, a post can also
// be dragged to its place, and the new order is saved at once (WeekAdmin.reorder, as JSON). A
// refused order (someone changed the week meanwhile) reloads the board as it is now.
(function () {
  "use strict";

  function start() {
    var list = document.getElementById("board-posts");
    if (!list || !list.dataset.reorder) return;
    var form = document.getElementById("board-form");
    var announce = document.getElementById("board-announce");
    var dragged = null;
    var before = null;

    function items() {
      return Array.prototype.slice.call(list.querySelectorAll(".board-post"));
    }

    function order() {
      return items().map(function (item) { return item.dataset.post; });
    }

    function renumber() {
      var all = items();
      all.forEach(function (item, place) {
        item.querySelector(".board-position").textContent = place + 1 + ".";
        item.querySelector(".board-up").disabled = place === 0;
        item.querySelector(".board-down").disabled = place === all.length - 1;
      });
    }

    function save(item) {
      var body = new URLSearchParams();
      body.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
      order().forEach(function (id) { body.append("order", id); });
      return fetch(list.dataset.reorder, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      }).then(function (response) {
        if (!response.ok) throw new Error("refused");
        var title = item.querySelector(".board-title").textContent;
        var place = items().indexOf(item) + 1;
        announce.textContent = list.dataset.moved
          ? list.dataset.moved.replace("%(title)s", title).replace("%(place)s", place)
          : title + ": " + place;
        list.dataset.saved = order().join(",");
      }).catch(function () {
        window.location.reload();
      });
    }

    list.dataset.saved = order().join(",");

    list.addEventListener("dragstart", function (event) {
      dragged = event.target.closest(".board-post");
      if (!dragged) return;
      dragged.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.dataset.post);
    });

    list.addEventListener("dragover", function (event) {
      if (!dragged) return;
      event.preventDefault();
      var over = event.target.closest(".board-post");
      if (!over || over === dragged) return;
      var box = over.getBoundingClientRect();
      before = event.clientY < box.top + box.height / 2 ? over : over.nextElementSibling;
      list.insertBefore(dragged, before);
      renumber();
    });

    list.addEventListener("drop", function (event) {
      event.preventDefault();
    });

    list.addEventListener("dragend", function () {
      if (!dragged) return;
      var item = dragged;
      dragged = null;
      item.classList.remove("dragging");
      if (order().join(",") !== list.dataset.saved) save(item);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
