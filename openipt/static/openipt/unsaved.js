/* OpenIPT: no typed work is lost without a warning.
 *
 * Inside an element marked data-unsaved-guard, a form is "changed" when any of its fields differs
 * from what the page was served with. Leaving the page (a link, reload, closing the tab) or sending
 * ANOTHER form while one is changed makes the browser ask first; sending a form only counts that
 * form as saved; a form shown with errors counts as changed. Shows the section htmx sends back
 * with a refusal (400). Also opens a closed <details> section when the address points into it (after a
 * save the page returns to the section) or when it holds an error. Static file, no inline script:
 * it runs under the Content-Security-Policy (script-src 'self').
 */
(function () {
  "use strict";
  var sending = null;

  function changed(form) {
    // A form sent back with errors still holds words that were not saved.
    if (form.querySelector(".errorlist, [aria-invalid=true]")) return true;
    for (var i = 0; i < form.elements.length; i++) {
      var el = form.elements[i];
      if (!el.name || el.disabled || el.type === "hidden" || el.type === "submit") continue;
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked !== el.defaultChecked) return true;
      } else if (el.tagName === "SELECT") {
        for (var j = 0; j < el.options.length; j++) {
          if (el.options[j].selected !== el.options[j].defaultSelected) return true;
        }
      } else if (el.value !== el.defaultValue) {
        return true;
      }
    }
    return false;
  }

  function unsaved() {
    var forms = document.querySelectorAll("[data-unsaved-guard] form");
    return Array.prototype.filter.call(forms, function (f) { return f !== sending && changed(f); });
  }

  document.addEventListener("submit", function (event) { sending = event.target; }, true);
  // htmx sends the form without leaving the page: nothing else is at risk.
  document.addEventListener("htmx:afterRequest", function () { sending = null; });
  // A refused save (400) comes back as the section with its errors beside the fields and every
  // word typed: show it instead of leaving the person to guess.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  window.addEventListener("beforeunload", function (event) {
    if (unsaved().length) {
      event.preventDefault();
      event.returnValue = "";  // older browsers need a value to ask
    }
    // If the person chooses to stay, the form sent is no longer on its way.
    setTimeout(function () { sending = null; }, 0);
  });

  function openAround(el) {
    for (var d = el && el.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) {
      d.open = true;
    }
  }
  function openTarget() {
    if (location.hash.length > 1) openAround(document.getElementById(decodeURIComponent(location.hash.slice(1))));
  }
  function openErrors() {
    document.querySelectorAll("details .errorlist, details [aria-invalid=true]").forEach(openAround);
  }
  window.addEventListener("hashchange", openTarget);
  document.addEventListener("DOMContentLoaded", function () { openTarget(); openErrors(); });
})();
