/* Free times on a trainer's public page: a FullCalendar list of two weeks at a time, from
 * today to the schedule horizon (data-horizon-days), fed by /api/trainers/<id>/availability.
 * "‹" and "›" page by the whole two weeks and are disabled at either end. Each slot shows its
 * price and the places left and links to its booking page. Times are the trainer's wall time
 * (the API's start_local), whoever looks. Settings come from the element's data-* attributes. */
(function () {
  "use strict";

  var el = document.getElementById("trainee-calendar");
  if (!el || !window.FullCalendar || !window.TrainoCalendarTime || !window.TrainoCalendarUi) {
    return;
  }
  var data = el.dataset;
  var zone = data.timeZone;
  var MAX_DAYS = 62;
  var DAY = 86400000;

  var isoDate = window.TrainoCalendarTime.isoDate;

  function wallTime(date) { return window.TrainoCalendarTime.wallTime(date, zone); }

  function seatsText(left, capacity) {
    if (capacity === 1) { return data.textPersonal; }
    return left === 1 ? data.textSeatsOne : data.textSeatsOther.replace("%(count)s", left);
  }

  function node(tag, className, text) {
    var element = document.createElement(tag);
    element.className = className;
    if (text !== undefined) { element.textContent = text; }
    return element;
  }

  /* The calendar's Dates carry the trainer's wall time in their UTC fields. */
  var clock = new Intl.DateTimeFormat(data.locale, {
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC"
  });

  function slotContent(arg) {
    var props = arg.event.extendedProps;
    var wrap = node("a", "slot");
    wrap.href = arg.event.url;
    var main = node("span", "slot-main");
    main.appendChild(node("span", "slot-time",
      clock.format(arg.event.start) + "–" + clock.format(arg.event.end)));
    main.appendChild(node("span", "slot-title", arg.event.title));
    var meta = node("span", "slot-meta");
    meta.appendChild(node("span", "slot-price", props.price));
    meta.appendChild(node("span", "slot-seats" + (props.seatsLeft <= 2 && props.capacity > 1 ? " is-few" : ""),
      seatsText(props.seatsLeft, props.capacity)));
    main.appendChild(meta);
    wrap.appendChild(main);
    wrap.appendChild(node("span", "slot-book", data.textBook));
    return { domNodes: [wrap] };
  }

  var problem = node("p", "calendar-problem");
  problem.setAttribute("role", "alert");
  problem.hidden = true;
  el.after(problem);

  var phone = window.matchMedia("(max-width: 640px)").matches;
  var today = wallTime(new Date()).slice(0, 10);
  /* The last bookable day is the horizon's: validRange's end is exclusive. */
  var horizonDays = parseInt(data.horizonDays, 10) || 365;
  var end = isoDate(new Date(Date.parse(today + "T00:00:00Z") + (horizonDays + 1) * DAY));
  var ui = window.TrainoCalendarUi;
  var restorePlace = ui.keepToolbarInPlace(el);

  var calendar = new FullCalendar.Calendar(el, {
    locale: data.locale,
    timeZone: zone,
    now: function () { return wallTime(new Date()); },
    initialView: "listTwoWeeks",
    views: {
      /* Fourteen days rather than two weeks: FullCalendar pages a weeks view from the start
       * of the week, which after a first page starting mid-week would show a day twice. */
      listTwoWeeks: {
        type: "list", duration: { days: 14 }, dateAlignment: "day", dateIncrement: { days: 14 }
      }
    },
    buttonHints: { prev: data.textPrev, next: data.textNext, today: data.textToday },
    headerToolbar: phone
      ? { left: "prev", center: "title", right: "next" }
      : { left: "prev,next today", center: "title", right: "" },
    firstDay: 1,
    height: "auto",
    validRange: { start: today, end: end },
    listDayFormat: { weekday: "long", day: "numeric", month: "long" },
    listDaySideFormat: false,
    eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    noEventsContent: data.textEmpty,
    events: function (info, success, failure) {
      var from = isoDate(info.start);
      var last = new Date(info.end.getTime() - DAY);
      if ((last - info.start) / DAY >= MAX_DAYS) {
        last = new Date(info.start.getTime() + (MAX_DAYS - 1) * DAY);
      }
      var url = data.availabilityUrl + "?" + new URLSearchParams({ from: from, to: isoDate(last) });
      fetch(url, { headers: { Accept: "application/json" }, credentials: "omit" })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (body) {
          problem.hidden = true;
          success(body.occurrences.map(function (slot) {
            return {
              id: slot.schedule_id + "-" + slot.start,
              title: slot.offering.title,
              start: wallTime(new Date(slot.start)),
              end: wallTime(new Date(slot.end)),
              url: slot.book_url,
              classNames: slot.seats_left <= 2 && slot.capacity > 1 ? ["is-few"] : [],
              extendedProps: {
                price: slot.price.formatted,
                seatsLeft: slot.seats_left,
                capacity: slot.capacity
              }
            };
          }));
          ui.afterPaint(restorePlace);
        })
        .catch(function (error) {
          problem.textContent = data.textFailed;
          problem.hidden = false;
          failure(error);
        });
    },
    eventContent: slotContent,
    datesSet: function () {
      ui.labelButtons(el);
      ui.afterPaint(restorePlace);
    },
    eventClick: function (info) {
      /* The slot is a link; follow it in this tab whether the link or its row was clicked. */
      info.jsEvent.preventDefault();
      window.location.href = info.event.url;
    }
  });
  calendar.render();
  ui.labelButtons(el);
})();
