/* Home page: find trainers on a map.
 *
 * The visible box and the filters go to GET /api/trainers?format=geojson&bbox=...; the
 * features are clustered with Supercluster and listed beside the map. Every move or filter
 * change cancels the request still in flight, so a slow answer never overwrites a newer one.
 */
(function () {
  "use strict";

  var M = window.TrainoMaps;
  var root = document.getElementById("discovery");
  var config = M && M.readConfig("discovery-config");
  if (!root || !config || !window.L || !window.Supercluster) return;

  var MOVE_DEBOUNCE_MS = 250;
  var TYPING_DEBOUNCE_MS = 350;

  var form = document.getElementById("discovery-filters");
  var listElement = document.getElementById("trainer-list");
  var countElement = document.getElementById("trainer-count");
  var noticeElement = document.getElementById("map-notice");
  var numberFormat = new Intl.NumberFormat(config.locale);

  var map = M.createMap("discovery-map", config, { minZoom: 3 });
  map.setView(config.center, config.zoom);
  noticeElement.textContent = config.text.tilesUnavailable;
  M.addTiles(map, config, function (available) {
    noticeElement.hidden = available;
  });

  var markerLayer = L.layerGroup().addTo(map);
  var index = new Supercluster({ radius: 56, maxZoom: 16 });
  var markersById = {};
  var controller = null;
  var moveTimer = null;
  var typingTimer = null;

  function interpolate(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (match, key) {
      return key in values ? values[key] : match;
    });
  }

  function clamp(value, low, high) {
    return Math.min(high, Math.max(low, value));
  }

  /* The API refuses boxes outside the world, which Leaflet's bounds can be when zoomed out. */
  function visibleBox() {
    var bounds = map.getBounds();
    return [
      clamp(bounds.getWest(), -180, 180),
      clamp(bounds.getSouth(), -90, 90),
      clamp(bounds.getEast(), -180, 180),
      clamp(bounds.getNorth(), -90, 90),
    ];
  }

  /* The filters as the API wants them: the price typed in kronor is sent in öre. */
  function filterParams() {
    var params = new URLSearchParams();
    var data = new FormData(form);
    var q = String(data.get("q") || "").trim();
    var category = String(data.get("category") || "");
    var priceKr = String(data.get("price_max") || "").trim();
    if (q) params.set("q", q);
    if (category) params.set("category", category);
    if (/^\d+$/.test(priceKr)) params.set("price_max", String(Number(priceKr) * 100));
    return params;
  }

  /* Keep the address bar in step, so a reload or the back button returns to the same view. */
  function rememberView() {
    var params = new URLSearchParams(new FormData(form));
    Array.from(params.keys()).forEach(function (key) {
      if (!params.get(key)) params.delete(key);
    });
    var center = map.getCenter();
    params.set("at", [center.lat.toFixed(5), center.lng.toFixed(5), map.getZoom()].join(","));
    history.replaceState(null, "", "?" + params.toString().replace(/%2C/g, ","));
  }

  function load() {
    if (controller) controller.abort();
    controller = new AbortController();
    var signal = controller.signal;
    var params = filterParams();
    params.set("format", "geojson");
    params.set("bbox", visibleBox().map(function (v) { return v.toFixed(6); }).join(","));
    rememberView();
    root.classList.add("is-loading");
    fetchPages(config.apiUrl + "?" + params.toString(), signal, [], 0)
      .catch(function (error) {
        if (error && error.name === "AbortError") return;
        showProblem(error && error.apiMessage ? error.apiMessage : config.text.loadFailed);
      })
      .finally(function () {
        if (!signal.aborted) root.classList.remove("is-loading");
      });
  }

  /* Follow "next" for a few pages: enough points to cluster a city, bounded for a country. */
  function fetchPages(url, signal, collected, pageCount) {
    return fetch(url, { signal: signal, headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) {
            var error = new Error("API error");
            error.apiMessage = body && body.error ? body.error.message : null;
            throw error;
          }
          return body;
        });
      })
      .then(function (body) {
        if (signal.aborted) return;
        var features = collected.concat(body.features || []);
        show(features, body.count || 0);
        if (body.next && pageCount + 1 < config.maxPages) {
          // Same origin whatever host or scheme the server saw (a proxy may hide https).
          var next = new URL(body.next, window.location.href);
          return fetchPages(next.pathname + next.search, signal, features, pageCount + 1);
        }
      });
  }

  function show(features, total) {
    index = new Supercluster({ radius: 56, maxZoom: 16 });
    index.load(features);
    drawMarkers();
    drawList(features, total);
  }

  function showProblem(message) {
    markerLayer.clearLayers();
    listElement.replaceChildren(M.element("li", "trainer-list-problem", message));
    countElement.textContent = "";
  }

  function drawMarkers() {
    markerLayer.clearLayers();
    markersById = {};
    var box = visibleBox();
    var zoom = Math.round(map.getZoom());
    index.getClusters(box, zoom).forEach(function (feature) {
      var coordinates = feature.geometry.coordinates;
      var latlng = L.latLng(coordinates[1], coordinates[0]);
      var marker = feature.properties.cluster
        ? clusterMarker(feature, latlng)
        : trainerMarker(feature.properties, latlng);
      markerLayer.addLayer(marker);
    });
  }

  function clusterMarker(feature, latlng) {
    var count = feature.properties.point_count;
    var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    var label = M.element("span", null, feature.properties.point_count_abbreviated);
    var pixels = { small: 34, medium: 42, large: 52 }[size];
    var marker = L.marker(latlng, {
      icon: L.divIcon({
        html: label,
        className: "cluster cluster-" + size,
        iconSize: [pixels, pixels],
      }),
      title: interpolate(config.text.clusterTitle, { count: numberFormat.format(count) }),
      keyboard: true,
    });
    marker.on("click", function () {
      var zoom = Math.min(index.getClusterExpansionZoom(feature.properties.cluster_id), 18);
      map.flyTo(latlng, Math.max(zoom, map.getZoom() + 1), { duration: 0.4 });
    });
    return marker;
  }

  function priceText(trainer) {
    if (!trainer.min_price) return "";
    return interpolate(config.text.from, { price: trainer.min_price.formatted });
  }

  function trainerMarker(trainer, latlng) {
    var marker = L.marker(latlng, {
      icon: M.pinIcon(trainer.min_price ? trainer.min_price.formatted : ""),
      title: trainer.display_name,
      riseOnHover: true,
      keyboard: true,
    });
    var popup = M.element("div", "map-popup");
    if (trainer.photo_url) {
      var photo = M.element("img", "map-popup-photo");
      photo.src = trainer.photo_url;
      photo.alt = "";
      photo.loading = "lazy";
      popup.appendChild(photo);
    }
    var name = M.element("a", "map-popup-name", trainer.display_name);
    name.href = trainer.url;
    popup.appendChild(name);
    var details = [trainer.city, priceText(trainer)].filter(Boolean).join(" · ");
    if (details) popup.appendChild(M.element("div", "map-popup-details", details));
    marker.bindPopup(popup, { closeButton: false, minWidth: 160 });
    marker.on("mouseover", function () { highlight(trainer.id, true); });
    marker.on("mouseout", function () { highlight(trainer.id, false); });
    markersById[trainer.id] = marker;
    return marker;
  }

  function highlight(trainerId, on) {
    var marker = markersById[trainerId];
    var icon = marker && marker.getElement();
    if (icon) icon.classList.toggle("is-highlighted", on);
    var item = listElement.querySelector('[data-trainer-id="' + trainerId + '"]');
    if (item) item.classList.toggle("is-highlighted", on);
  }

  function countText(shown, total) {
    if (shown < total) {
      return interpolate(config.text.countPartial, {
        shown: numberFormat.format(shown),
        count: numberFormat.format(total),
      });
    }
    return total === 1
      ? config.text.countOne
      : interpolate(config.text.countOther, { count: numberFormat.format(total) });
  }

  function drawList(features, total) {
    countElement.textContent = countText(features.length, total);
    if (!features.length) {
      var empty = M.element("li", "trainer-list-empty");
      empty.appendChild(M.element("strong", null, config.text.empty));
      empty.appendChild(M.element("span", null, config.text.emptyHint));
      listElement.replaceChildren(empty);
      return;
    }
    listElement.replaceChildren.apply(
      listElement,
      features.map(function (feature) { return listItem(feature.properties); })
    );
  }

  function listItem(trainer) {
    var item = M.element("li", "trainer-card");
    item.dataset.trainerId = trainer.id;
    item.dataset.testid = "trainer-card";
    var link = M.element("a", "trainer-card-link");
    link.href = trainer.url;

    if (trainer.photo_url) {
      var photo = M.element("img", "avatar");
      photo.src = trainer.photo_url;
      photo.alt = "";
      photo.loading = "lazy";
      photo.dataset.testid = "trainer-card-photo";
      link.appendChild(photo);
    } else {
      var avatar = M.element("span", "avatar", M.initials(trainer.display_name));
      avatar.setAttribute("aria-hidden", "true");
      link.appendChild(avatar);
    }

    var body = M.element("span", "trainer-card-body");
    body.appendChild(M.element("span", "trainer-card-name", trainer.display_name));
    var meta = [];
    if (trainer.city) meta.push(trainer.city);
    if (trainer.rating && trainer.rating.count) {
      meta.push("★ " + trainer.rating.average + " (" + trainer.rating.count + ")");
    }
    if (meta.length) body.appendChild(M.element("span", "trainer-card-meta", meta.join(" · ")));
    if (trainer.categories && trainer.categories.length) {
      var chips = M.element("span", "chips");
      trainer.categories.forEach(function (category) {
        chips.appendChild(M.element("span", "chip", category.name));
      });
      body.appendChild(chips);
    }
    link.appendChild(body);

    if (trainer.min_price) {
      link.appendChild(M.element("span", "trainer-card-price", priceText(trainer)));
    }
    item.appendChild(link);
    item.addEventListener("mouseenter", function () { highlight(trainer.id, true); });
    item.addEventListener("mouseleave", function () { highlight(trainer.id, false); });
    return item;
  }

  function scheduleLoad(delay) {
    clearTimeout(moveTimer);
    moveTimer = setTimeout(load, delay);
  }

  map.on("zoomend", drawMarkers);
  map.on("moveend", function () { scheduleLoad(MOVE_DEBOUNCE_MS); });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(typingTimer);
    load();
  });
  form.addEventListener("change", function (event) {
    if (event.target.name === "category") scheduleLoad(0);
  });
  form.addEventListener("input", function (event) {
    if (event.target.name !== "q" && event.target.name !== "price_max") return;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(load, TYPING_DEBOUNCE_MS);
  });

  root.classList.add("is-ready");
  load();
})();
