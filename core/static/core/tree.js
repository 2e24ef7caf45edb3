// The organization tree: a node's button loads its children (htmx) the first time; once they are there,
// it folds and unfolds them without asking again. A load that failed may be tried again. The icon,
// aria-expanded and the button's label say which way it goes.
(function () {
  "use strict";

  function show(button, open) {
    var sub = button.parentElement.querySelector(":scope > .cx-sub");
    sub.hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.querySelector("i").className = open ? "bi bi-dash-square" : "bi bi-plus-square";
    if (!button.dataset.cxUnfold) {
      button.dataset.cxUnfold = button.getAttribute("aria-label");
    }
    button.setAttribute("aria-label", open ? button.dataset.cxFold : button.dataset.cxUnfold);
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var button = event.detail.elt;
    if (button.classList && button.classList.contains("cx-tree-toggle") && button.dataset.cxLoaded) {
      event.preventDefault();  // loaded before: the click only folds or unfolds
      show(button, button.getAttribute("aria-expanded") !== "true");
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var button = event.detail.elt;
    if (button.classList && button.classList.contains("cx-tree-toggle") && event.detail.successful) {
      button.dataset.cxLoaded = "1";
      show(button, true);
    }
  });
})();
