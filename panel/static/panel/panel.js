/* Rustmail panel: small helpers (the pages work without them). */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // A <select data-autosubmit> submits its form when changed (its submit button is hidden with JS on).
  document.addEventListener("change", function (event) {
    const target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
      target.form.requestSubmit ? target.form.requestSubmit() : target.form.submit();
    }
  });

  // An avatar whose picture cannot load keeps its initials.
  document.addEventListener("error", function (event) {
    const target = event.target;
    if (target.tagName === "IMG" && target.parentElement && target.parentElement.classList.contains("avatar")) {
      target.classList.add("broken");
    }
  }, true);

  // A click outside an open user menu closes it.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.user-menu[open], details.nav-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });

  // <button data-confirm="Sure?"> asks first (plain forms; htmx has hx-confirm).
  document.addEventListener("submit", function (event) {
    const button = event.submitter;
    const message = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
