// Counts the files chosen on a form before it is sent: Django refuses a request with more than
// DATA_UPLOAD_MAX_NUMBER_FILES files before any view runs, and everything typed on the page is lost.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var limited = form.querySelector("input[type=file][data-max-files]");
    if (!limited) {
      return;
    }
    var max = parseInt(limited.getAttribute("data-max-files"), 10);
    var count = 0;
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      count += input.files ? input.files.length : 0;
    });
    var note = form.querySelector(".collection-too-many-files");
    if (count <= max) {
      if (note) {
        note.remove();
      }
      return;
    }
    event.preventDefault();
    if (!note) {
      note = document.createElement("p");
      note.className = "errornote collection-too-many-files";
      note.setAttribute("role", "alert");
      form.insertBefore(note, form.firstChild);
    }
    note.textContent = limited.getAttribute("data-too-many-files")
      .replace("%(count)s", String(count)).replace("%(max)s", String(max));
    note.scrollIntoView({block: "center"});
  });
})();
