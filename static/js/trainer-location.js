/* The small map on a trainer's public page: one pin where the trainer trains. */
(function () {
  "use strict";

  var M = window.TrainoMaps;
  var config = M && M.readConfig("trainer-location-config");
  var container = document.getElementById("trainer-map");
  if (!config || !container || !window.L) return;

  var position = [config.latitude, config.longitude];
  var map = L.map(container, { scrollWheelZoom: false, zoomControl: true });
  map.setView(position, config.zoom);
  map.attributionControl.setPrefix(false);
  M.addTiles(map, config);
  L.marker(position, { icon: M.pinIcon(""), title: config.label, keyboard: false }).addTo(map);
})();
