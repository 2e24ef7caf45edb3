// The organization tree: the first click on a node's button loads its children (htmx, once); later clicks
// fold and unfold them. The icon and aria-expanded say which.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".cx-tree-toggle");
    if (!button) {
      return;
    }
    var sub = button.parentElement.querySelector(":scope > .cx-sub");
    if (!sub) {
      return;
    }
    if (button.dataset.cxLoaded) {
      sub.hidden = !sub.hidden;
    }
    button.dataset.cxLoaded = "1";
    var open = !sub.hidden;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.querySelector("i").className = open ? "bi bi-dash-square" : "bi bi-plus-square";
  });
})();
