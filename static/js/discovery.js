/* Home page: find trainers on a map.
 *
 * The visible box and the filters go to GET /api/trainers?format=geojson&bbox=...; the
 * features are clustered with Supercluster and listed beside the map. Every move or filter
 * change cancels the request still in flight, so a slow answer never overwrites a newer one.
 *
 * The search box: typing filters the trainers in view by text at once; submitting it (Enter,
 * the Search button, or opening the page with ?q=) asks GET /api/search how to read it. When
 * it names a place the map moves there and the list keeps only the other words as text
 * (marketplace/search.py has the rule); a button offers the same words as a text search.
 * "Free times this week" keeps the trainers GET /api/availability/trainers names, page by
 * page. Selecting a marker (click, or Enter on a focused marker) marks its row and scrolls
 * the list, not the page.
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
  var queryInput = document.getElementById("filter-q");
  var priceInput = document.getElementById("filter-price");
  var priceError = document.getElementById("filter-price-error");
  var matchInput = document.getElementById("filter-match");
  var placeNote = document.getElementById("place-note");
  var placeNoteText = document.getElementById("place-note-text");
  var textSearchButton = document.getElementById("place-note-text-search");
  var numberFormat = new Intl.NumberFormat(config.locale);
  var ratingFormat = new Intl.NumberFormat(config.locale, {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });

  var map = M.createMap("discovery-map", config, { minZoom: 3 });
  map.setView(config.center, config.zoom);
  noticeElement.textContent = config.text.tilesUnavailable;
  M.addTiles(map, config, function (available) {
    noticeElement.hidden = available;
  });

  var markerLayer = L.layerGroup().addTo(map);
  var index = new Supercluster({ radius: 56, maxZoom: 16 }).load([]); // zoomend may come first
  var markersById = {};
  var controller = null;
  var searchController = null;
  var moveTimer = null;
  var typingTimer = null;
  var selectedId = null;
  var loadedOnce = false;
  // The server refused the price in the address (the browser empties what it cannot read,
  // so the field alone cannot tell): refused until the visitor types another.
  var priceRefused = !priceError.hidden;
  // How the search box is read: the text the trainers must match, and the place it named.
  var search = { text: queryInput.value.trim(), place: null };

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

  /* The max price as typed in kronor: "" (any), a whole number, or null when invalid. The
   * browser empties a number field it cannot read, so badInput is asked too. */
  function priceKronor() {
    var raw = priceInput.value.trim();
    if (priceInput.validity && priceInput.validity.badInput) return null;
    if (!raw) return "";
    if (!/^\d+$/.test(raw) || Number(raw) > config.maxPriceKr) return null;
    return raw;
  }

  function showPriceError(invalid) {
    priceError.textContent = invalid ? config.text.priceError : "";
    priceError.hidden = !invalid;
    if (invalid) priceInput.setAttribute("aria-invalid", "true");
    else priceInput.removeAttribute("aria-invalid");
  }

  /* The filters as the API wants them: the price typed in kronor is sent in öre. */
  function filterParams() {
    var params = new URLSearchParams();
    var data = new FormData(form);
    var category = String(data.get("category") || "");
    var sort = String(data.get("sort") || "");
    var price = priceKronor();
    if (search.text) params.set("q", search.text);
    if (category) params.set("category", category);
    if (price && !priceRefused) params.set("price_max", String(Number(price) * 100));
    if (sort) params.set("sort", sort);
    var minRating = String(data.get("min_rating") || "");
    if (minRating) params.set("min_rating", minRating);
    if (data.get("verified") === "true") params.set("verified", "true");
    // Search by when: weekdays and a local time window (GET /api/trainers, from bookings).
    var days = data.getAll("days").map(String).filter(Boolean);
    var fromTime = String(data.get("from_time") || "");
    var toTime = String(data.get("to_time") || "");
    if (days.length || fromTime || toTime) {
      if (days.length) params.set("days", days.join(","));
      if (fromTime) params.set("from_time", fromTime);
      if (toTime) params.set("to_time", toTime);
    }
    return params;
  }

  function ratingText(trainer) {
    if (!trainer.rating_count) return "";
    return "★ " + ratingFormat.format(trainer.rating_average) + " (" + trainer.rating_count + ")";
  }

  function verifiedBadge() {
    var badge = M.element("span", "badge badge-verified", "✓ " + config.text.verified);
    badge.dataset.testid = "verified-badge";
    return badge;
  }

  function availableOnly() {
    return new FormData(form).get("available") === "week";
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

  function showPlaceNote() {
    var place = search.place;
    placeNote.hidden = !place;
    if (!place) return;
    var template = search.text ? config.text.aroundText : config.text.around;
    placeNoteText.textContent = interpolate(template, { place: place.name, text: search.text });
    textSearchButton.textContent = interpolate(config.text.searchAsText, {
      q: queryInput.value.trim(),
    });
  }

  /* Ask how to read the search box, then move to the place it names (unless the view is
   * kept) and load. A failed answer reads it all as text. */
  function submitSearch(options) {
    var q = queryInput.value.trim();
    if (searchController) searchController.abort();
    search = { text: q, place: null };
    if (!q || matchInput.value === "text") {
      showPlaceNote();
      load();
      return;
    }
    searchController = new AbortController();
    var signal = searchController.signal;
    fetch(config.searchUrl + "?" + new URLSearchParams({ q: q }).toString(), {
      signal: signal,
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") throw error;
        return null;
      })
      .then(function (body) {
        if (body && body.place) search = { text: body.text || "", place: body.place };
        showPlaceNote();
        var place = search.place;
        if (place && !(options && options.keepView)) {
          clearTimeout(moveTimer);
          if (place.bbox) {
            var b = place.bbox;
            map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { animate: false });
          } else {
            map.setView([place.latitude, place.longitude], 12, { animate: false });
          }
        }
        load();
      })
      .catch(function (error) {
        if (!error || error.name !== "AbortError") throw error;
      });
  }

  function load() {
    clearTimeout(moveTimer);
    var invalidPrice = priceRefused || priceKronor() === null;
    showPriceError(invalidPrice);
    // Said at the field; the list stays as it was (the first time, it shows any price).
    if (invalidPrice && loadedOnce) return;
    loadedOnce = true;
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
        var page = body.features || [];
        return keepAvailable(page, signal).then(function (kept) {
          if (signal.aborted) return;
          var features = collected.concat(kept);
          var checked = (collected.checked || 0) + page.length;
          features.checked = checked;
          show(features, body.count || 0, checked, body.count_exact !== false);
          if (body.next && pageCount + 1 < config.maxPages) {
            // Same origin whatever host or scheme the server saw (a proxy may hide https).
            var next = new URL(body.next, window.location.href);
            return fetchPages(next.pathname + next.search, signal, features, pageCount + 1);
          }
        });
      });
  }

  /* With "free times this week": only the trainers of this page that bookings names. */
  function keepAvailable(features, signal) {
    if (!availableOnly() || !features.length) return Promise.resolve(features);
    var ids = features.map(function (feature) { return feature.properties.id; });
    var url = config.availabilityUrl + "?days=7&ids=" + ids.join(",");
    return fetch(url, { signal: signal, headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("availability");
        return response.json();
      })
      .then(function (body) {
        var available = {};
        (body.available || []).forEach(function (id) { available[id] = true; });
        return features.filter(function (feature) { return available[feature.properties.id]; });
      });
  }

  function show(features, total, checked, exact) {
    index = new Supercluster({ radius: 56, maxZoom: 16 });
    index.load(features);
    drawMarkers();
    drawList(features, total, checked, exact);
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
    if (trainer.verified) popup.appendChild(verifiedBadge());
    var details = [trainer.city, ratingText(trainer), priceText(trainer)]
      .filter(Boolean)
      .join(" · ");
    if (details) popup.appendChild(M.element("div", "map-popup-details", details));
    marker.bindPopup(popup, { closeButton: false, minWidth: 160 });
    marker.on("mouseover", function () { highlight(trainer.id, true); });
    marker.on("mouseout", function () { highlight(trainer.id, false); });
    // Its popup opens on a click and on Enter when the marker has the keyboard's focus.
    marker.on("popupopen", function () { select(trainer.id); });
    marker.on("add", function () {
      var icon = marker.getElement();
      if (icon) {
        icon.dataset.trainerId = trainer.id;
        icon.classList.toggle("is-selected", trainer.id === selectedId);
      }
    });
    markersById[trainer.id] = marker;
    return marker;
  }

  /* Mark the trainer's marker and row, and bring the row into the list's own view: only the
   * list scrolls (on a phone the list is part of the page, and the page stays put). */
  function select(trainerId) {
    selectedId = trainerId;
    Object.keys(markersById).forEach(function (id) {
      var icon = markersById[id].getElement();
      if (icon) icon.classList.toggle("is-selected", Number(id) === trainerId);
    });
    var item = null;
    listElement.querySelectorAll(".trainer-card").forEach(function (card) {
      var on = Number(card.dataset.trainerId) === trainerId;
      card.classList.toggle("is-selected", on);
      if (on) {
        card.setAttribute("aria-current", "true");
        item = card;
      } else {
        card.removeAttribute("aria-current");
      }
    });
    if (item && listScrolls()) {
      var top = item.offsetTop - (listElement.clientHeight - item.offsetHeight) / 2;
      listElement.scrollTo({ top: Math.max(0, top), behavior: "smooth" });
    }
  }

  function listScrolls() {
    var overflow = window.getComputedStyle(listElement).overflowY;
    return (overflow === "auto" || overflow === "scroll") &&
      listElement.scrollHeight > listElement.clientHeight;
  }

  function highlight(trainerId, on) {
    var marker = markersById[trainerId];
    var icon = marker && marker.getElement();
    if (icon) icon.classList.toggle("is-highlighted", on);
    var item = listElement.querySelector('[data-trainer-id="' + trainerId + '"]');
    if (item) item.classList.toggle("is-highlighted", on);
  }

  function countText(shown, total, exact) {
    if (shown < total || !exact) {
      return interpolate(exact ? config.text.countPartial : config.text.countMore, {
        shown: numberFormat.format(shown),
        count: numberFormat.format(total),
      });
    }
    return total === 1
      ? config.text.countOne
      : interpolate(config.text.countOther, { count: numberFormat.format(total) });
  }

  function availableText(count, checked, total) {
    if (checked < total) {
      return interpolate(config.text.availablePartial, {
        count: numberFormat.format(count),
        checked: numberFormat.format(checked),
        total: numberFormat.format(total),
      });
    }
    return count === 1
      ? config.text.availableOne
      : interpolate(config.text.availableOther, { count: numberFormat.format(count) });
  }

  function drawList(features, total, checked, exact) {
    countElement.textContent = availableOnly()
      ? availableText(features.length, checked, total)
      : countText(features.length, total, exact);
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
    if (trainer.id === selectedId) {
      item.classList.add("is-selected");
      item.setAttribute("aria-current", "true");
    }
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
    var nameLine = M.element("span", "trainer-card-name", trainer.display_name);
    if (trainer.verified) nameLine.appendChild(verifiedBadge());
    body.appendChild(nameLine);
    var meta = [];
    if (trainer.city) meta.push(trainer.city);
    if (trainer.rating_count) meta.push(ratingText(trainer));
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
    matchInput.value = "";
    submitSearch();
  });
  form.addEventListener("change", function (event) {
    var name = event.target.name;
    var immediate = ["category", "sort", "available", "min_rating", "verified", "days",
      "from_time", "to_time"];
    if (immediate.indexOf(name) !== -1) scheduleLoad(0);
  });
  form.addEventListener("input", function (event) {
    var name = event.target.name;
    if (name !== "q" && name !== "price_max") return;
    if (name === "price_max") priceRefused = false;
    if (name === "q") {
      // Typing filters what is in view by text; the next submit may find a place again.
      if (searchController) searchController.abort();
      matchInput.value = "";
      search = { text: queryInput.value.trim(), place: null };
      showPlaceNote();
    }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(load, TYPING_DEBOUNCE_MS);
  });
  // The sort sits with the list, outside the form (form="discovery-filters"): its events
  // do not reach the form's listeners.
  document.getElementById("filter-sort").addEventListener("change", function () {
    scheduleLoad(0);
  });
  textSearchButton.addEventListener("click", function () {
    matchInput.value = "text";
    search = { text: queryInput.value.trim(), place: null };
    showPlaceNote();
    load();
    queryInput.focus();
  });

  root.classList.add("is-ready");
  if (search.text && matchInput.value !== "text") {
    submitSearch({ keepView: config.viewGiven });
  } else {
    load();
  }
})();
