// Progressive enhancement only: every control also works without JavaScript.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function autosubmitControl(element) {
    return element && element.closest ? element.closest(".autosubmit") : null;
  }

  // A choice made with the pointer applies at once. One made with the keyboard waits for the form's
  // button: a select changes with every arrow key, and reloading the page on each would send the reader
  // back to its top (WCAG 3.2.2). Only a pointer press on the control itself counts as a pointer choice,
  // so that a change by any other means (the keyboard, a screen reader) never submits on its own.
  var pressed = null;
  document.addEventListener("pointerdown", function (event) {
    pressed = autosubmitControl(event.target);
  }, true);
  document.addEventListener("keydown", function () {
    pressed = null;
  }, true);
  document.addEventListener("change", function (event) {
    var control = autosubmitControl(event.target);
    if (!control || !control.form) {
      return;
    }
    if (control === pressed) {
      control.form.submit();
    } else {
      control.form.classList.add("keyboard-choice");
    }
  });
})();
