/* The small map on a trainer's public page: where the trainer trains. Visitors get an area
   (a circle around the public point, about 500 m from the exact place); the trainer and
   staff get the exact pin. */
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
  if (config.approximate) {
    L.circle(position, {
      radius: config.radius,
      color: "#0f7b6c",
      weight: 2,
      fillOpacity: 0.15,
      interactive: false,
      className: "trainer-area"
    }).addTo(map);
  } else {
    L.marker(position, { icon: M.pinIcon(""), title: config.label, keyboard: false }).addTo(map);
  }
})();
