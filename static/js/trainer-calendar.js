/* The trainer's calendar (FullCalendar, week / month / list) and the schedule form's
 * show-and-hide. Configuration comes from the json_script "trainer-calendar-config".
 *
 * Times: the API sends UTC instants; the calendar shows them as wall time in the trainer's
 * zone. FullCalendar has no named-zone support without a plugin, so each instant is turned
 * into the zone's wall time here (Intl) and handed over without an offset. */
(function () {
  "use strict";

  var time = window.TrainoCalendarTime;  /* static/js/calendar-time.js, loaded first */
  var pad = time.pad;
  var wallTime = time.wallTime;
  var isoDate = time.isoDate;

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }

  function setupConfirms() {
    document.querySelectorAll("form.js-confirm").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
      });
    });
  }

  function setupCopy() {
    document.querySelectorAll(".js-copy").forEach(function (button) {
      button.addEventListener("click", function () {
        var input = document.getElementById(button.dataset.copy);
        var done = function () {
          var label = button.textContent;
          button.textContent = button.dataset.copied;
          window.setTimeout(function () { button.textContent = label; }, 1600);
        };
        input.select();
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(done, function () {});
        } else if (document.execCommand("copy")) {
          done();
        }
      });
    });
  }

  function setupScheduleForm() {
    /* Shows the inputs that belong to the chosen repeat and end options only. */
    var form = document.querySelector("[data-testid=schedule-form]");
    if (!form) { return; }
    var update = function () {
      var chosen = function (name) {
        var input = form.querySelector("input[name=" + name + "]:checked");
        return input ? input.value : "";
      };
      form.querySelectorAll("[data-show-for]").forEach(function (el) {
        var rule = el.dataset.showFor.split(":");
        el.hidden = chosen(rule[0]) !== rule[1];
      });
      form.querySelectorAll("[data-hide-for]").forEach(function (el) {
        var rule = el.dataset.hideFor.split(":");
        el.hidden = chosen(rule[0]) === rule[1];
      });
    };
    form.addEventListener("change", update);
    form.querySelectorAll(".choice-extra input").forEach(function (input) {
      input.addEventListener("focus", function () {
        var radio = input.closest(".choice").querySelector("input[type=radio]");
        if (radio && !radio.checked) { radio.checked = true; update(); }
      });
    });
    update();
  }

  function setupDialog(config) {
    var dialog = document.getElementById("occurrence-dialog");
    var form = document.getElementById("occurrence-form");
    var restoreForm = document.getElementById("restore-form");
    dialog.querySelectorAll("[data-close]").forEach(function (button) {
      button.addEventListener("click", function () { dialog.close(); });
    });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) { dialog.close(); }
    });
    var field = function (name) { return dialog.querySelector("[data-field=" + name + "]"); };
    var when = new Intl.DateTimeFormat(config.locale, {
      timeZone: config.timeZone, weekday: "long", day: "numeric", month: "long",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    });
    var until = new Intl.DateTimeFormat(config.locale, {
      timeZone: config.timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    });
    function bookedText(props) {
      if (props.cancelled) { return ""; }
      var count = props.booked || 0;
      if (!count) { return config.text.bookedNone; }
      var names = (props.attendees || []).filter(Boolean).join(", ");
      return format(count === 1 ? config.text.bookedOne : config.text.bookedOther, {
        count: count, names: names
      });
    }
    return function open(event) {
      var props = event.extendedProps;
      field("title").textContent = props.title || event.title;
      field("when").textContent = when.format(new Date(props.startUtc)) + "–" +
        until.format(new Date(props.endUtc));
      field("seats").textContent = props.capacity > 1 && !props.cancelled ? format(config.text.seats, {
        left: props.seats_left, capacity: props.capacity
      }) : "";
      field("booked").textContent = bookedText(props);
      field("cancelled").hidden = !props.cancelled;
      var past = new Date(props.startUtc) <= new Date();
      form.hidden = props.cancelled || past;
      restoreForm.hidden = !props.cancelled || past;
      field("close-only").hidden = !past;
      form.action = config.cancelUrl.replace("{id}", props.schedule_id);
      restoreForm.action = config.restoreUrl.replace("{id}", props.schedule_id);
      form.elements.start_local.value = props.startLocal;
      restoreForm.elements.start_local.value = props.startLocal;
      dialog.showModal();
    };
  }

  function clockTime(minutes) {
    return pad(Math.floor(minutes / 60)) + ":" + pad(minutes % 60) + ":00";
  }

  function fitHours(calendar, events) {
    /* Shows the hours the week's sessions use (at least 07-19), so none hides below a scroll. */
    var first = 7 * 60, last = 19 * 60;
    events.forEach(function (event) {
      var start = +event.start.slice(11, 13) * 60 + +event.start.slice(14, 16);
      var end = event.end.slice(0, 10) > event.start.slice(0, 10)
        ? 24 * 60 : +event.end.slice(11, 13) * 60 + +event.end.slice(14, 16);
      first = Math.min(first, start);
      last = Math.max(last, end);
    });
    first = Math.max(0, Math.floor(first / 60) * 60 - 60);
    last = Math.min(24 * 60, Math.ceil(last / 60) * 60 + 60);
    if (calendar.getOption("slotMinTime") !== clockTime(first)) {
      calendar.setOption("slotMinTime", clockTime(first));
    }
    if (calendar.getOption("slotMaxTime") !== clockTime(last)) {
      calendar.setOption("slotMaxTime", clockTime(last));
    }
  }

  function setupCalendar() {
    var el = document.getElementById("trainer-calendar");
    var source = document.getElementById("trainer-calendar-config");
    if (!el || !source || !window.FullCalendar || !window.TrainoCalendarUi) { return; }
    var config = JSON.parse(source.textContent);
    var zone = config.timeZone;
    var problem = document.getElementById("calendar-problem");
    var openDialog = setupDialog(config);
    var phone = window.matchMedia("(max-width: 640px)").matches;
    var ui = window.TrainoCalendarUi;
    var restorePlace = ui.keepToolbarInPlace(el);
    /* A phone's month view: one chip a day, a dot and the number of sessions, instead of
     * titles that cannot fit; a tap on it lists that day. The chip is the day's first event;
     * the day's other events are folded away. */
    var days = {};
    var phoneMonth = function (view) { return phone && view.type === "dayGridMonth"; };
    var dayCount = function (count) {
      return count === 1 ? config.text.sessionsOne : format(config.text.sessionsOther, {
        count: count
      });
    };
    function dayChip(arg) {
      var day = days[arg.event.extendedProps.startLocal.slice(0, 10)];
      if (!day || day.first !== arg.event.id) { return { domNodes: [] }; }
      var count = day.active || day.cancelled;
      var chip = document.createElement("span");
      chip.className = "day-chip";
      var dot = document.createElement("span");
      dot.className = "day-chip-dot";
      dot.setAttribute("aria-hidden", "true");
      var number = document.createElement("span");
      number.className = "day-chip-count";
      number.setAttribute("aria-hidden", "true");
      number.textContent = count;
      var spoken = document.createElement("span");
      spoken.className = "visually-hidden";
      spoken.textContent = day.active ? dayCount(day.active) : config.text.allCancelled;
      chip.appendChild(dot);
      chip.appendChild(number);
      chip.appendChild(spoken);
      return { domNodes: [chip] };
    }

    var calendar = new FullCalendar.Calendar(el, {
      locale: config.locale,
      timeZone: zone,
      now: function () { return wallTime(new Date(), zone); },
      initialDate: config.initialDate || undefined,
      initialView: phone ? "listWeek" : "timeGridWeek",
      headerToolbar: phone
        ? { left: "prev", center: "title", right: "next" }
        : { left: "prev,next today", center: "title", right: "timeGridWeek,dayGridMonth,listWeek" },
      footerToolbar: phone ? { left: "today", right: "listWeek,timeGridWeek,dayGridMonth" } : false,
      firstDay: 1,
      height: "auto",
      slotMinTime: "06:00:00",
      slotMaxTime: "20:00:00",
      slotDuration: "00:30:00",
      allDaySlot: false,
      nowIndicator: true,
      eventInteractive: true,
      dayMaxEvents: phone ? false : 4,
      views: phone ? {
        timeGridWeek: { dayHeaderContent: ui.dayHeader(config.locale), displayEventEnd: false }
      } : {},
      listDayFormat: { weekday: "long", day: "numeric", month: "long" },
      listDaySideFormat: false,
      eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      events: function (info, success, failure) {
        var url = config.eventsUrl + "?" + new URLSearchParams({
          start: isoDate(info.start), end: isoDate(info.end)
        });
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (response) {
            if (!response.ok) { throw new Error("HTTP " + response.status); }
            return response.json();
          })
          .then(function (body) {
            problem.hidden = true;
            var events = (Array.isArray(body) ? body : body.events || []).map(function (item) {
              var props = Object.assign({}, item.extendedProps || {});
              props.startUtc = item.start;
              props.endUtc = item.end;
              props.startLocal = wallTime(new Date(item.start), zone);
              props.title = item.title;
              var title = item.title;
              if (props.cancelled) {
                title = format(config.text.cancelledTitle, { title: item.title });
              } else if (props.booked) {
                title = item.title + " · " + props.booked + "/" + props.capacity;
              }
              return {
                id: item.id,
                title: title,
                start: props.startLocal,
                end: wallTime(new Date(item.end), zone),
                classNames: [
                  props.cancelled ? "is-cancelled" : "",
                  props.booked ? "is-booked" : "",
                  new Date(item.end) < new Date() ? "is-past" : ""
                ].filter(Boolean),
                extendedProps: props
              };
            });
            fitHours(calendar, events);
            days = ui.daySummaries(events, function (event) {
              return event.extendedProps.startLocal;
            }, function (event) { return Boolean(event.extendedProps.cancelled); });
            success(events);
            ui.afterPaint(restorePlace);
          })
          .catch(function (error) {
            problem.textContent = config.text.loadFailed;
            problem.hidden = false;
            failure(error);
          });
      },
      dayCellDidMount: function (arg) {
        /* A month day is a grid cell named by its day number alone (aria-labelledby), which
         * hides its sessions from its name: named by its whole content instead. */
        arg.el.removeAttribute("aria-labelledby");
      },
      eventClassNames: function (arg) {
        if (!phoneMonth(arg.view)) { return []; }
        var day = days[arg.event.extendedProps.startLocal.slice(0, 10)];
        if (!day || day.first !== arg.event.id) { return ["is-folded"]; }
        return day.active ? ["is-day-chip"] : ["is-day-chip", "is-all-cancelled"];
      },
      eventContent: function (arg) {
        return phoneMonth(arg.view) ? dayChip(arg) : true;
      },
      eventClick: function (info) {
        info.jsEvent.preventDefault();
        if (phoneMonth(info.view)) {
          calendar.changeView("listDay", info.event.extendedProps.startLocal.slice(0, 10));
          el.scrollIntoView({ block: "start" });
          return;
        }
        openDialog(info.event);
      },
      datesSet: function () {
        ui.labelButtons(el);
        ui.afterPaint(restorePlace);
      }
    });
    calendar.render();
    ui.labelButtons(el);
  }

  setupConfirms();
  setupCopy();
  setupScheduleForm();
  setupCalendar();
})();
