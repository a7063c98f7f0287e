/* Time helpers shared by the trainer's and the trainee's calendars (load before either).
 *
 * FullCalendar has no named-zone support without a plugin, so the calendars show instants as
 * the trainer's wall time: wallTime turns an instant into that zone's wall-clock time (Intl),
 * handed to FullCalendar without an offset; isoDate reads a calendar date back. */
(function () {
  "use strict";

  function pad(n) { return String(n).padStart(2, "0"); }

  function wallTime(date, zone) {
    /* "2026-12-07T07:00:00": the wall-clock time in `zone` at the instant `date`. */
    var parts = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit"
    }).formatToParts(date).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + "T" + parts.hour + ":" +
      parts.minute + ":" + parts.second;
  }

  function isoDate(date) {
    /* The calendar's dates are wall times stored in the Date's UTC fields. */
    return date.getUTCFullYear() + "-" + pad(date.getUTCMonth() + 1) + "-" + pad(date.getUTCDate());
  }

  window.TrainoCalendarTime = { pad: pad, wallTime: wallTime, isoDate: isoDate };
})();
