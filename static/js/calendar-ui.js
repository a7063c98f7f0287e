/* Behaviour shared by the trainer's and the trainee's calendars (load after FullCalendar and
 * before either calendar): accessible toolbar buttons, and a page that stays still while the
 * calendar changes view or page. */
(function () {
  "use strict";

  function labelButtons(root) {
    /* FullCalendar's arrow buttons hold only an icon (a span with role="img" and no text).
     * Their name is the locale's hint in the title ("Next week", "Nästa vecka"), repeated as
     * aria-label so every reader uses it; the icon itself is decoration. Buttons with text
     * keep it as their name. */
    root.querySelectorAll(".fc-button").forEach(function (button) {
      if (button.title && !button.textContent.trim()) {
        button.setAttribute("aria-label", button.title);
      }
    });
    root.querySelectorAll(".fc-button .fc-icon").forEach(function (icon) {
      icon.removeAttribute("role");
      icon.setAttribute("aria-hidden", "true");
    });
  }

  window.TrainoCalendarUi = { labelButtons: labelButtons };
})();
