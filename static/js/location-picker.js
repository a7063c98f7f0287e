/* The trainer's profile form: a click on the map sets latitude and longitude; typing them
 * moves the pin. The number inputs stay the source of truth, so the form works without it. */
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

  if (clearButton) {
    clearButton.hidden = false;
    clearButton.addEventListener("click", function () {
      latitudeInput.value = "";
      longitudeInput.value = "";
      place(null);
    });
  }
})();
