/* Behaviour shared by the trainer's and the trainee's calendars (load after FullCalendar and
 * before either calendar): accessible toolbar buttons, a page that stays still while the
 * calendar changes view or page, and the compact month and week views of a phone. */
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

  function keepToolbarInPlace(root) {
    /* A tap on a toolbar button (another view, another page) redraws the calendar at another
     * height, which would move the page under the finger: on a phone the view buttons sit
     * below the calendar, and a shorter view would leave them (and the calendar) above the
     * screen. The tapped toolbar is kept where it was on screen: restore() scrolls the page
     * by however far it moved; call it once the new dates are drawn and once their events
     * are in. Returns restore. */
    var anchor = null;
    root.addEventListener("click", function (event) {
      var toolbar = event.target.closest(".fc-toolbar");
      if (!toolbar || !event.target.closest(".fc-button")) { return; }
      anchor = {
        selector: toolbar.classList.contains("fc-footer-toolbar")
          ? ".fc-footer-toolbar" : ".fc-header-toolbar",
        top: toolbar.getBoundingClientRect().top
      };
    }, true);
    return function restore() {
      if (!anchor) { return; }
      var toolbar = root.querySelector(anchor.selector);
      if (toolbar) { window.scrollBy(0, toolbar.getBoundingClientRect().top - anchor.top); }
    };
  }

  function afterPaint(callback) {
    window.requestAnimationFrame(function () { window.requestAnimationFrame(callback); });
  }

  function daySummaries(events, dayOf, isCancelled) {
    /* {"2026-12-07": {first: id, active: 3, cancelled: 1}}: what a phone's month view shows
     * for each day, from the events of one fetch (in start order). */
    var days = {};
    events.slice().sort(function (a, b) { return dayOf(a) < dayOf(b) ? -1 : 1; })
      .forEach(function (event) {
        var key = dayOf(event).slice(0, 10);
        var day = days[key] || (days[key] = { first: null, active: 0, cancelled: 0 });
        if (isCancelled(event)) { day.cancelled += 1; } else { day.active += 1; }
        if (day.first === null || (!isCancelled(event) && day.firstCancelled)) {
          day.first = event.id;
          day.firstCancelled = isCancelled(event);
        }
      });
    return days;
  }

  function dayHeader(locale) {
    /* A phone's week view heads each narrow column with the short weekday over the day of the
     * month ("Mon" / "7"): both legible, neither cut off. Dates carry wall time in UTC. */
    var weekday = new Intl.DateTimeFormat(locale, { weekday: "short", timeZone: "UTC" });
    var day = new Intl.DateTimeFormat(locale, { day: "numeric", timeZone: "UTC" });
    var full = new Intl.DateTimeFormat(locale, {
      weekday: "long", day: "numeric", month: "long", timeZone: "UTC"
    });
    return function (arg) {
      var wrap = document.createElement("span");
      wrap.className = "day-head";
      [["day-head-weekday", weekday.format(arg.date).replace(".", "")],
       ["day-head-day", day.format(arg.date)]].forEach(function (part) {
        var span = document.createElement("span");
        span.className = part[0];
        span.setAttribute("aria-hidden", "true");
        span.textContent = part[1];
        wrap.appendChild(span);
      });
      var spoken = document.createElement("span");
      spoken.className = "visually-hidden";
      spoken.textContent = full.format(arg.date);
      wrap.appendChild(spoken);
      return { domNodes: [wrap] };
    };
  }

  window.TrainoCalendarUi = {
    labelButtons: labelButtons,
    keepToolbarInPlace: keepToolbarInPlace,
    afterPaint: afterPaint,
    daySummaries: daySummaries,
    dayHeader: dayHeader
  };
})();
