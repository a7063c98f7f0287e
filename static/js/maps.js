/* Traino map helpers shared by the discovery map, the trainer page and the location picker.
 *
 * Configuration comes from a {{ json_script }} element, never from inline code. The tile layer
 * fails quietly: offline (or with the tile server blocked) the map stays blank but usable,
 * the markers still show and no script error is thrown.
 */
(function () {
  "use strict";

  function readConfig(id) {
    var element = document.getElementById(id);
    if (!element) return null;
    try {
      return JSON.parse(element.textContent);
    } catch (error) {
      return null;
    }
  }

  /* The URL of the tile under the map's centre, or null when the template needs more than
   * {s}, {z}, {x}, {y} and {r}. */
  function centerTileUrl(map, template) {
    var zoom = Math.round(map.getZoom());
    var point = map.project(map.getCenter(), zoom).divideBy(256).floor();
    try {
      return L.Util.template(template, { s: "a", r: "", z: zoom, x: point.x, y: point.y });
    } catch (error) {
      return null;
    }
  }

  /* Add the configured tile layer once one tile has been seen to load. Offline, or with the
   * tile server blocked, that one probe is the only request that fails (the browser logs it);
   * the map stays blank with the class "map-offline", and the next move tries again.
   * onAvailabilityChange(available) hears when tiles stop or start being available. */
  function addTiles(map, config, onAvailabilityChange) {
    var layer = L.tileLayer(config.tileUrl, {
      attribution: config.tileAttribution,
      maxZoom: 19,
    });
    var state = "idle";

    function probe() {
      if (state !== "idle" && state !== "offline") return;
      var url = centerTileUrl(map, config.tileUrl);
      if (!url) {
        state = "online";
        layer.addTo(map);
        return;
      }
      state = "probing";
      var image = new Image();
      image.onload = function () {
        var wasOffline = map.getContainer().classList.contains("map-offline");
        state = "online";
        map.getContainer().classList.remove("map-offline");
        if (wasOffline && onAvailabilityChange) onAvailabilityChange(true);
        map.off("moveend", probe);
        layer.addTo(map);
      };
      image.onerror = function () {
        var first = !map.getContainer().classList.contains("map-offline");
        state = "offline";
        map.getContainer().classList.add("map-offline");
        if (first && onAvailabilityChange) onAvailabilityChange(false);
      };
      image.src = url;
    }

    map.on("moveend", probe);
    map.whenReady(probe);
    return layer;
  }

  /* A Leaflet map with the zoom buttons labelled in the page's language. */
  function createMap(container, config, options) {
    var map = L.map(container, Object.assign({ maxZoom: 18 }, options, { zoomControl: false }));
    L.control
      .zoom({
        zoomInTitle: config.zoomInTitle || "Zoom in",
        zoomOutTitle: config.zoomOutTitle || "Zoom out",
      })
      .addTo(map);
    map.attributionControl.setPrefix(false);
    return map;
  }

  function initials(name) {
    var words = String(name || "").trim().split(/\s+/).filter(Boolean);
    if (!words.length) return "?";
    var first = words[0].charAt(0);
    var last = words.length > 1 ? words[words.length - 1].charAt(0) : "";
    return (first + last).toUpperCase();
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  /* A round pin for one place (a trainer's location). */
  function pinIcon(label) {
    var html = element("span", "pin-dot");
    if (label) html.appendChild(element("span", "pin-label", label));
    return L.divIcon({
      html: html,
      className: "pin",
      iconSize: [22, 22],
      iconAnchor: [11, 11],
      popupAnchor: [0, -12],
    });
  }

  window.TrainoMaps = {
    readConfig: readConfig,
    addTiles: addTiles,
    createMap: createMap,
    initials: initials,
    element: element,
    pinIcon: pinIcon,
  };
})();
