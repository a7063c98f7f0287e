/* Upload forms refuse a file over the size limit before the browser sends a byte of it.
   Each form carries the limit (data-max-bytes) and the server's own message for it
   (data-too-large); the server still checks, this only saves a long upload that would fail. */
(function () {
  "use strict";

  document.querySelectorAll("form[data-max-bytes]").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    var error = form.querySelector("[role=alert]");
    var limit = Number(form.dataset.maxBytes);
    if (!input || !limit) return;

    function check() {
      var file = input.files && input.files[0];
      var message = file && file.size > limit ? form.dataset.tooLarge : "";
      input.setCustomValidity(message);
      if (error) {
        error.textContent = message;
        error.hidden = !message;
      }
      return !message;
    }

    input.addEventListener("change", check);
    form.addEventListener("submit", function (event) {
      if (!check()) {
        event.preventDefault();
        input.focus();
      }
    });
  });
})();
