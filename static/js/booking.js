/* Booking pages: the hold's countdown while a booking waits for payment, and the session's
 * time in the browser's own time zone when it differs from the trainer's (the page shows the
 * trainer's wall time; the server cannot know the visitor's zone). */
(function () {
  "use strict";

  function pad(n) { return String(n).padStart(2, "0"); }

  function startHold(hold) {
    var clock = hold.querySelector(".hold-clock");
    var left = parseInt(hold.getAttribute("data-hold-seconds"), 10);
    if (!clock || isNaN(left)) { return; }
    var endsAt = Date.now() + left * 1000;
    function tick() {
      var seconds = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      clock.textContent = Math.floor(seconds / 60) + ":" + pad(seconds % 60);
      if (seconds > 0) { return; }
      window.clearInterval(timer);
      var note = document.createElement("span");
      note.setAttribute("role", "status");
      note.textContent = hold.getAttribute("data-expired-text");
      hold.replaceChildren(note);
      document.querySelectorAll("[data-testid=booking-pay]").forEach(function (pay) {
        pay.remove();
      });
    }
    var timer = window.setInterval(tick, 1000);
    tick();
  }

  function showLocalTime(span) {
    var browserZone;
    try { browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!browserZone || browserZone === span.getAttribute("data-zone")) { return; }
    var lang = document.documentElement.lang || "en";
    var start = new Date(span.getAttribute("data-local-start"));
    var end = new Date(span.getAttribute("data-local-end"));
    var day = new Intl.DateTimeFormat(lang, {
      weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
      hourCycle: "h23"
    }).format(start);
    var until = new Intl.DateTimeFormat(lang, {
      hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    }).format(end);
    span.textContent = span.getAttribute("data-label") + " " + day + "–" + until +
      " (" + browserZone + ")";
    span.insertAdjacentElement("beforebegin", document.createElement("br"));
    span.hidden = false;
  }

  document.querySelectorAll("[data-hold-seconds]").forEach(startHold);
  document.querySelectorAll("[data-local-start]").forEach(showLocalTime);
})();
