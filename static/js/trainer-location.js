/* The small map on a trainer's public page: one pin where the trainer trains. */
(function () {
  "use strict";

  var M = window.TrainoMaps;
  var config = M && M.readConfig("trainer-location-config");
  var container = document.getElementById("trainer-map");
  if (!config || !container || !window.L) return;

  var position = [config.latitude, config.longitude];
  var map = M.createMap(container, config, { scrollWheelZoom: false });
  map.setView(position, config.zoom);
  M.addTiles(map, config);
  L.marker(position, { icon: M.pinIcon(""), title: config.label, keyboard: false }).addTo(map);
})();
