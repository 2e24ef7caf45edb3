// A form that posts is sent once (after its question, if it asks one): a second submit while the first is on its way (a double click, Enter
// pressed twice) is dropped, and the buttons show that the page is busy. The guard lifts after a while
// (a response that downloads a file leaves the page in place) and when the page is shown again from the
// browser's back/forward cache.
(function () {
  "use strict";
  var RELEASE_MS = 8000;

  function release(form) {
    delete form.dataset.cxSubmitting;
    form.querySelectorAll("[data-cx-busy]").forEach(function (button) {
      button.classList.remove("disabled");
      button.removeAttribute("aria-disabled");
      button.removeAttribute("data-cx-busy");
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || (form.method || "").toLowerCase() !== "post") {
      return;
    }
    if (form.dataset.cxSubmitting) {
      event.preventDefault();
      return;
    }
    // A form that asks first (data-cx-confirm="…?"): "no" leaves the page as it was.
    if (form.dataset.cxConfirm && !window.confirm(form.dataset.cxConfirm)) {
      event.preventDefault();
      return;
    }
    if (event.defaultPrevented) {
      return;  // cancelled by the form's own handler (a confirmation answered "no"): not on its way
    }
    form.dataset.cxSubmitting = "1";
    // Buttons are marked, not disabled: a disabled button would drop its name and value from the request.
    form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach(function (button) {
      button.classList.add("disabled");
      button.setAttribute("aria-disabled", "true");
      button.setAttribute("data-cx-busy", "1");
    });
    setTimeout(function () { release(form); }, RELEASE_MS);
  });

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("form[data-cx-submitting]").forEach(release);
    }
  });
})();
