/* The Kanban board: drag a card to another column to move the lead to that stage.
 * Sortable moves the card in the page; htmx POSTs the move and swaps in the columns the
 * server re-rendered, so counts, sums and a refused card's place always come from the
 * server. No inline scripts: the Content-Security-Policy forbids them. */
(function () {
  "use strict";

  function columns() {
    return document.getElementById("board-columns");
  }

  function withQuery(url) {
    var query = columns().dataset.query;
    return query ? url + "?" + query : url;
  }

  function csrfHeaders() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    } catch (error) {
      return {};
    }
  }

  function reload() {
    return htmx.ajax("GET", withQuery(columns().dataset.boardUrl), {
      target: "#board-columns",
      swap: "outerHTML",
    });
  }

  function say(text) {
    var box = document.getElementById("board-message");
    box.replaceChildren();
    var line = document.createElement("p");
    line.className = "refused";
    line.textContent = text;
    box.appendChild(line);
  }

  function onEnd(event) {
    if (event.from === event.to) {
      return;
    }
    htmx.ajax("POST", withQuery(event.item.dataset.moveUrl), {
      source: "#board-columns",
      target: "#board-columns",
      swap: "outerHTML",
      headers: csrfHeaders(),
      values: { to_stage: event.to.dataset.stage, via: "kanban" },
    });
  }

  function wire(root) {
    root.querySelectorAll(".board-cards").forEach(function (list) {
      if (list.dataset.sortable === "on") {
        return;
      }
      list.dataset.sortable = "on";
      Sortable.create(list, {
        group: "board",
        animation: 150,
        draggable: ".board-card",
        ghostClass: "dragging",
        onEnd: onEnd,
      });
    });
  }

  // 409 (moved meanwhile) and 422 (refused, e.g. a lost reason is needed) carry the
  // re-rendered board and the message: swap them like a success.
  htmx.config.responseHandling.unshift({ code: "^(409|422)$", swap: true, error: false });

  // Anything else (404: not visible; 403; 500): put the board back and say so.
  document.addEventListener("htmx:responseError", function () {
    if (columns()) {
      say(document.getElementById("board-message").dataset.refused);
      reload();
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.matches("#board-message [data-dismiss]")) {
      document.getElementById("board-message").replaceChildren();
    }
  });

  // Wire the first board, and every board the server sends back.
  htmx.onLoad(function () {
    wire(document);
  });
  document.addEventListener("htmx:afterSettle", function () {
    wire(document);
  });
})();
