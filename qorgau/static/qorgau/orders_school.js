// The report form: list the chosen evidence files with their sizes, and mark at once those the server
// would refuse for size or number (it checks again anyway, by content). No words here: messages come
// from the page, already translated.
(function () {
  "use strict";
  function mb(bytes) {
    if (bytes < 1048576) {
      return Math.max(1, Math.round(bytes / 1024)) + " KB";
    }
    return (bytes / 1048576).toFixed(1) + " MB";
  }
  function update(fieldset) {
    var maxFiles = parseInt(fieldset.getAttribute("data-max-files"), 10);
    var maxBytes = parseInt(fieldset.getAttribute("data-max-bytes"), 10);
    var list = fieldset.querySelector("[data-chosen]");
    var tooMany = fieldset.querySelector("[data-too-many]");
    var count = 0;
    list.textContent = "";
    fieldset.querySelectorAll("input[type=file]").forEach(function (input) {
      Array.prototype.forEach.call(input.files, function (file) {
        var li = document.createElement("li");
        li.textContent = file.name + " — " + mb(file.size);
        if (file.size > maxBytes) {
          li.className = "bad";
        }
        list.appendChild(li);
        count += 1;
      });
    });
    if (tooMany) {
      tooMany.hidden = count <= maxFiles;
    }
  }
  document.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset.evidence");
    if (fieldset && event.target.type === "file") {
      update(fieldset);
    }
  });
  // Files chosen before this (deferred) script ran, e.g. on a slow connection, are listed too.
  document.querySelectorAll("fieldset.evidence").forEach(update);
})();
