/* Bot profile page: an image can be dropped on its field (the file input still works alone), and
 * the chosen image is previewed before it is sent. */
(function () {
  "use strict";

  function preview(zone, input) {
    const image = zone.querySelector(".dropzone-preview");
    const file = input.files && input.files[0];
    if (!image) return;
    if (!file || !/^image\//.test(file.type)) {
      image.hidden = true;
      image.removeAttribute("src");
      return;
    }
    image.src = URL.createObjectURL(file);
    image.hidden = false;
  }

  document.querySelectorAll("[data-dropzone]").forEach(function (zone) {
    const input = zone.querySelector("input[type=file]");
    if (!input) return;
    input.addEventListener("change", function () { preview(zone, input); });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("dropzone-over");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dropzone-over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      const files = event.dataTransfer && event.dataTransfer.files;
      if (!files || !files.length) return;
      const kept = new DataTransfer();
      kept.items.add(files[0]);
      input.files = kept.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
  });
})();
