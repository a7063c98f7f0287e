/* The trainer's profile form: a click on the map sets latitude and longitude; typing them
 * moves the pin; an address typed in the search (GET /api/places) lists places to put the pin
 * on. The number inputs stay the source of truth, so the form works without it. */
(function () {
  "use strict";

  var M = window.TrainoMaps;
  var config = M && M.readConfig("location-picker-config");
  var container = document.getElementById("location-picker");
  if (!config || !container || !window.L) return;

  var latitudeInput = document.getElementById(config.latitudeInput);
  var longitudeInput = document.getElementById(config.longitudeInput);
  var clearButton = document.getElementById("location-clear");
  if (!latitudeInput || !longitudeInput) return;

  var map = M.createMap(container, config, {});
  M.addTiles(map, config);
  var marker = null;

  function current() {
    var latitude = parseFloat(latitudeInput.value);
    var longitude = parseFloat(longitudeInput.value);
    var valid =
      isFinite(latitude) && isFinite(longitude) &&
      Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180;
    return valid ? L.latLng(latitude, longitude) : null;
  }

  function place(latlng) {
    if (!latlng) {
      if (marker) map.removeLayer(marker);
      marker = null;
      return;
    }
    if (!marker) {
      marker = L.marker(latlng, { icon: M.pinIcon(""), draggable: true, keyboard: false });
      marker.on("dragend", function () { fill(marker.getLatLng()); });
      marker.addTo(map);
    } else {
      marker.setLatLng(latlng);
    }
  }

  function fill(latlng) {
    var wrapped = latlng.wrap();
    latitudeInput.value = wrapped.lat.toFixed(6);
    longitudeInput.value = wrapped.lng.toFixed(6);
    latitudeInput.dispatchEvent(new Event("change", { bubbles: true }));
  }

  var start = current();
  if (start) {
    map.setView(start, 14);
  } else {
    map.setView(config.center, config.zoom);
  }
  place(start);

  map.on("click", function (event) {
    place(event.latlng);
    fill(event.latlng);
  });

  function typed() {
    var latlng = current();
    place(latlng);
    if (latlng && !map.getBounds().contains(latlng)) map.panTo(latlng);
  }
  latitudeInput.addEventListener("input", typed);
  longitudeInput.addEventListener("input", typed);

  setupPlaceSearch();

  function setupPlaceSearch() {
    var box = document.getElementById("place-search");
    var query = document.getElementById("place-query");
    var button = document.getElementById("place-search-button");
    var status = document.getElementById("place-status");
    var results = document.getElementById("place-results");
    var addressInput = document.getElementById(config.addressInput);
    if (!box || !query || !config.placesUrl) return;
    box.hidden = false;
    var text = config.text;

    function say(message) { status.textContent = message; }

    function choose(found) {
      var latlng = L.latLng(found.latitude, found.longitude);
      place(latlng);
      fill(latlng);
      map.setView(latlng, 16);
      if (addressInput && !addressInput.value.trim()) { addressInput.value = found.name; }
      results.hidden = true;
      results.textContent = "";
      say(text.placed.replace("%(name)s", found.name));
    }

    function show(places) {
      results.textContent = "";
      places.forEach(function (found) {
        var item = document.createElement("li");
        var pick = document.createElement("button");
        pick.type = "button";
        pick.className = "place-result";
        pick.textContent = found.name;
        pick.addEventListener("click", function () { choose(found); });
        item.appendChild(pick);
        results.appendChild(item);
      });
      results.hidden = places.length === 0;
      say(places.length ? text.found : text.none);
    }

    function search() {
      var q = query.value.trim();
      if (q.length < 2) { say(text.tooShort); return; }
      say(text.searching);
      fetch(config.placesUrl + "?" + new URLSearchParams({ q: q }), {
        headers: { Accept: "application/json" }, credentials: "same-origin"
      })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (body) { show(body.results || []); })
        .catch(function () { results.hidden = true; say(text.failed); });
    }

    button.addEventListener("click", search);
    query.addEventListener("keydown", function (event) {
      /* Enter searches; it must not submit the profile form around it. */
      if (event.key === "Enter") { event.preventDefault(); search(); }
    });
  }

  if (clearButton) {
    clearButton.hidden = false;
    clearButton.addEventListener("click", function () {
      latitudeInput.value = "";
      longitudeInput.value = "";
      place(null);
    });
  }
})();
