/* Rustmail panel: helpers of the API keys, bans, snippets and administration pages (they work without it). */
(function () {
  "use strict";

  // <button data-copy="#input" data-copied="Copied"> copies the input's value to the clipboard.
  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("button[data-copy]");
    if (!button) return;
    const source = document.querySelector(button.dataset.copy);
    if (!source) return;
    const done = function () {
      button.textContent = button.dataset.copied || button.textContent;
    };
    source.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.value).then(done, function () {
        document.execCommand("copy");
        done();
      });
    } else {
      document.execCommand("copy");
      done();
    }
  });

  // <input data-filter="#list"> hides the rows of #list whose data-search does not contain the text.
  document.addEventListener("input", function (event) {
    const input = event.target;
    if (!input.matches || !input.matches("input[data-filter]")) return;
    const words = input.value.trim().toLowerCase();
    document.querySelectorAll(input.dataset.filter + " [data-search]").forEach(function (row) {
      row.hidden = words !== "" && row.dataset.search.toLowerCase().indexOf(words) === -1;
    });
  });
})();
