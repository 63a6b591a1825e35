// The public map of certified training, and the base map the training-centre picker shares.
//
// Nothing comes from the internet: the countries are Natural Earth outlines (world-atlas,
// served from our own static files) drawn on a canvas, with the countries of certified
// organisations shaded; a tile server is optional (data-tile-url). Training centres are
// clustered markers whose popups the server renders. The strict CSP allows no inline script
// and no style attribute in HTML, so the page configures each map through data-* attributes
// (templates/directory/_map.html), every text a person reads comes translated from there,
// and strings from the GeoJSON only ever reach the page as text, never as HTML.
//
// Hooks for tests and the benchmark, on the map element: data-map-state (loading, ready,
// empty, error), data-map-markers (how many centres the visible markers and clusters stand
// for, once they are on screen), data-map-shaded (ISO numeric codes of the shaded countries)
// and the performance marks "map-markers-shown" and "map-outlines-shown".
//
// An ES module: centre-picker.js imports the base map from here. Leaflet, its marker
// clusters and topojson-client are classic scripts loaded before it (the templates put them
// first, and deferred and module scripts run in document order): `L` and `topojson` are
// their globals. A module runs once per page however many scripts import it.

// The world once, as the outlines are drawn: markers exist once, so copies of the world to
// the east and west would show continents without their centres.
const WORLD = L.latLngBounds([-80, -185], [85, 185]);
export const WORLD_VIEW = L.latLngBounds([-50, -165], [72, 175]);
const REDUCED_MOTION = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

// --- Texts and colours from the page ----------------------------------------------------

export function text(element, name, values) {
  let value = element.dataset[name] || "";
  for (const [key, replacement] of Object.entries(values || {})) {
    value = value.split(`{${key}}`).join(String(replacement));
  }
  return value;
}

function colours(element) {
  const style = window.getComputedStyle(element);
  const read = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  return {
    land: read("--map-land", "#f3f0e8"),
    border: read("--map-border", "#a59e90"),
    certified: read("--map-certified", "#a6cd8a"),
    certifiedBorder: read("--map-certified-border", "#3f6f22"),
  };
}

// --- Country outlines ----------------------------------------------------------------------

// world-atlas is made for spherical projections: where a country crosses the antimeridian
// its rings step from +180° to −180°, which a flat map draws as a stripe across the whole
// world. Such a polygon is unwrapped into continuous longitudes (Chukotka out to 190°E),
// then cut at ±180° into the parts of one world, the part beyond moved to the other edge,
// as on any flat map of the world. Antarctica's coast goes right round the pole: it is
// closed along the pole. Rings at the pole itself (|latitude| > 89°) are left as they are.
function unwrapRing(ring) {
  const result = [ring[0].slice()];
  let offset = 0;
  for (let i = 1; i < ring.length; i += 1) {
    const [longitude, latitude] = ring[i];
    const previous = ring[i - 1];
    const polar = Math.abs(latitude) > 89 && Math.abs(previous[1]) > 89;
    const step = longitude - previous[0];
    if (!polar && step > 180) {
      offset -= 360;
    } else if (!polar && step < -180) {
      offset += 360;
    }
    result.push([longitude + offset, latitude]);
  }
  const first = result[0];
  const last = result[result.length - 1];
  if (Math.abs(last[0] - first[0]) > 180) {
    const pole = ring.reduce((sum, point) => sum + point[1], 0) < 0 ? -90 : 90;
    result.push([last[0], pole], [first[0], pole], first.slice());
  }
  return result;
}

function longitudeRange(ring) {
  let west = Infinity;
  let east = -Infinity;
  for (const point of ring) {
    west = Math.min(west, point[0]);
    east = Math.max(east, point[0]);
  }
  return [west, east];
}

function shiftedRing(ring, degrees) {
  return ring.map((point) => [point[0] + degrees, point[1]]);
}

// The part of a closed ring on one side of a meridian (Sutherland–Hodgman), or null.
function clipRing(ring, meridian, keepWest) {
  const inside = (point) => (keepWest ? point[0] <= meridian : point[0] >= meridian);
  const result = [];
  for (let i = 0; i < ring.length - 1; i += 1) {
    const from = ring[i];
    const to = ring[i + 1];
    if (inside(from)) {
      result.push(from);
    }
    if (inside(from) !== inside(to)) {
      const share = (meridian - from[0]) / (to[0] - from[0]);
      result.push([meridian, from[1] + share * (to[1] - from[1])]);
    }
  }
  if (result.length < 3) {
    return null;
  }
  result.push(result[0]);
  return result;
}

function crossesAntimeridian(polygon) {
  return polygon.some((ring) =>
    ring.some((point, i) => i > 0 && Math.abs(point[0] - ring[i - 1][0]) > 180),
  );
}

function planarPolygons(polygon) {
  if (!crossesAntimeridian(polygon)) {
    return [polygon];
  }
  const rings = polygon.map(unwrapRing);
  const [west, east] = longitudeRange(rings[0]);
  for (let i = 1; i < rings.length; i += 1) {
    const [holeWest, holeEast] = longitudeRange(rings[i]);
    if (holeWest > east) {
      rings[i] = shiftedRing(rings[i], -360);
    } else if (holeEast < west) {
      rings[i] = shiftedRing(rings[i], 360);
    }
  }
  const parts = [];
  for (const shift of [-360, 0, 360]) {
    if (west + shift >= 180 || east + shift <= -180) {
      continue;
    }
    const clipped = rings
      .map((ring) => clipRing(shiftedRing(ring, shift), 180, true))
      .map((ring) => ring && clipRing(ring, -180, false));
    if (clipped[0]) {
      parts.push(clipped.filter(Boolean));
    }
  }
  return parts;
}

function planarFeature(feature) {
  const geometry = feature.geometry;
  if (!geometry || (geometry.type !== "Polygon" && geometry.type !== "MultiPolygon")) {
    return feature;
  }
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  return {
    type: "Feature",
    id: feature.id,
    properties: feature.properties,
    geometry: { type: "MultiPolygon", coordinates: polygons.flatMap(planarPolygons) },
  };
}

const countryRequests = new Map();

// The countries as flat GeoJSON, fetched once per page however many maps use them.
function loadCountries(url) {
  if (!countryRequests.has(url)) {
    const request = fetch(url, { credentials: "same-origin" })
      .then((response) => {
        if (!response.ok) {
          throw new Error(`countries: HTTP ${response.status}`);
        }
        return response.json();
      })
      .then((topology) => {
        const collection = topojson.feature(topology, topology.objects.countries);
        return { type: "FeatureCollection", features: collection.features.map(planarFeature) };
      });
    request.catch(() => countryRequests.delete(url));
    countryRequests.set(url, request);
  }
  return countryRequests.get(url);
}

function countryStyle(palette, certified, overTiles) {
  if (certified) {
    return {
      stroke: true,
      fill: true,
      color: palette.certifiedBorder,
      weight: 1,
      fillColor: palette.certified,
      fillOpacity: overTiles ? 0.35 : 1,
    };
  }
  return { color: palette.border, weight: 0.6, fillColor: palette.land, fillOpacity: 1 };
}

// Land in a light colour over the sea (the map's background), with thin borders; over
// tiles, only the certified countries, translucent. One canvas: some 100,000 points draw
// faster there than as SVG, and the outlines take no clicks.
function addOutlines(map, collection, certified, overTiles) {
  const palette = colours(map.getContainer());
  const layer = L.geoJSON(collection, {
    renderer: L.canvas({ padding: 0.5 }),
    interactive: false,
    filter: (feature) => !overTiles || certified.has(feature.id),
    style: (feature) => countryStyle(palette, certified.has(feature.id), overTiles),
  });
  layer.addTo(map);
  layer.bringToBack();
  return layer;
}

// The countries of certified organisations (ISO numeric codes) in the programme's green.
function shadeCountries(map, layer, certified) {
  const palette = colours(map.getContainer());
  layer.eachLayer((country) => {
    if (certified.has(country.feature.id)) {
      country.setStyle(countryStyle(palette, true, false));
    }
  });
}

// --- The base map ------------------------------------------------------------------------

export function baseMap(element, options) {
  const tileUrl = element.dataset.tileUrl || "";
  const map = L.map(element, {
    zoomControl: false,
    minZoom: 1,
    maxZoom: tileUrl ? 18 : 12,
    maxBounds: WORLD,
    maxBoundsViscosity: 1,
    worldCopyJump: false,
    scrollWheelZoom: options.scrollWheelZoom,
    zoomAnimation: !REDUCED_MOTION,
    fadeAnimation: !REDUCED_MOTION,
    markerZoomAnimation: !REDUCED_MOTION,
  });
  L.control
    .zoom({
      zoomInTitle: text(element, "textZoomIn"),
      zoomOutTitle: text(element, "textZoomOut"),
    })
    .addTo(map);
  if (tileUrl) {
    L.tileLayer(tileUrl, {
      // Shown as text: Leaflet would read the attribution as HTML.
      attribution: escapeText(element.dataset.tileAttribution || ""),
      noWrap: true,
      maxZoom: 18,
    }).addTo(map);
  } else {
    map.attributionControl.addAttribution("Natural Earth");
  }
  // Leaflet names its popup's close button in English.
  map.on("popupopen", (event) => {
    const close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
    if (close) {
      close.setAttribute("aria-label", text(element, "textClose"));
    }
  });
  return map;
}

function escapeText(value) {
  const node = document.createElement("span");
  node.textContent = value;
  return node.innerHTML;
}

// The outlines, drawn as soon as they arrive, and shaded once `certified` (a promise of
// ISO numeric codes) is known: the markers' data need not wait for the outlines, nor
// the outlines for the data. Over tiles only the shaded countries are drawn, so they wait.
export function showCountries(map, element, certified) {
  const overTiles = Boolean(element.dataset.tileUrl);
  const countries = loadCountries(element.dataset.countriesUrl);
  const drawn = overTiles
    ? Promise.all([countries, certified]).then(([collection, codes]) =>
        addOutlines(map, collection, codes, true),
      )
    : countries.then((collection) => addOutlines(map, collection, new Set(), false));
  drawn.then(
    () => afterPaint(() => window.performance.mark("map-outlines-shown")),
    () => null, // reported by the promise returned
  );
  return Promise.all([drawn, certified]).then(([layer, codes]) => {
    if (!overTiles) {
      shadeCountries(map, layer, codes);
    }
    element.dataset.mapShaded = Array.from(codes).sort().join(" ");
    return layer;
  });
}

// A training centre: a dot in dark green with a white ring, visible on land, sea and the
// shaded countries alike. Its name is the marker's title (Leaflet makes it a button).
export const markerIcon = L.divIcon({
  className: "map-marker",
  html: "",
  iconSize: [18, 18],
  iconAnchor: [9, 9],
  popupAnchor: [0, -9],
});

// A cluster: its count as text, and a name that says what pressing it does.
const ClusterIcon = L.DivIcon.extend({
  createIcon: function (oldIcon) {
    const div = L.DivIcon.prototype.createIcon.call(this, oldIcon);
    const count = document.createElement("span");
    count.textContent = String(this.options.count);
    div.replaceChildren(count);
    div.setAttribute("aria-label", this.options.label);
    return div;
  },
});

function clusterIcon(element) {
  return (cluster) => {
    const count = cluster.getChildCount();
    const size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    const pixels = { small: 34, medium: 40, large: 48 }[size];
    return new ClusterIcon({
      className: `map-cluster map-cluster-${size}`,
      html: "",
      count: count,
      label: text(element, "textCluster", { count: count }),
      iconSize: [pixels, pixels],
    });
  };
}

// --- Popups ------------------------------------------------------------------------------

function popupLoader(element) {
  const template = element.dataset.popupUrlTemplate;
  const cache = new Map();
  return (id) => {
    if (!cache.has(id)) {
      const url = template.replace("__ID__", encodeURIComponent(id));
      const request = fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      }).then((response) => {
        if (!response.ok) {
          throw new Error(`popup: HTTP ${response.status}`);
        }
        return response.text();
      });
      request.catch(() => cache.delete(id)); // the next click tries again
      cache.set(id, request);
    }
    return cache.get(id);
  };
}

function messageNode(className, message) {
  const node = document.createElement("p");
  node.className = className;
  node.textContent = message;
  return node;
}

function openPopup(map, element, load, marker, byKeyboard) {
  const popup = L.popup({ maxWidth: 320, autoPanPadding: [24, 24], offset: [0, -6] })
    .setLatLng(marker.getLatLng())
    .setContent(messageNode("map-popup-loading", text(element, "textPopupLoading")))
    .openOn(map);
  popup.centreMarker = marker;
  const focusContent = () => {
    const container = popup.getElement();
    const content = container?.querySelector(".leaflet-popup-content");
    if (byKeyboard && content) {
      content.setAttribute("tabindex", "-1");
      content.focus();
    }
  };
  load(marker.centreId).then(
    (html) => {
      if (map.hasLayer(popup)) {
        // The server's fragment, escaped there; nothing of the GeoJSON goes into it.
        popup.setContent(html);
        focusContent();
      }
    },
    () => {
      if (map.hasLayer(popup)) {
        popup.setContent(messageNode("map-popup-error", text(element, "textPopupError")));
        focusContent();
      }
    },
  );
}

// --- The public map ----------------------------------------------------------------------

function setState(element, state, message) {
  element.dataset.mapState = state;
  const status = element.querySelector("[data-map-status]");
  if (status) {
    status.textContent = message || ""; // empty, the box disappears (map.css)
  }
}

function markersFor(features) {
  const markers = [];
  for (const feature of features) {
    const geometry = feature.geometry;
    if (geometry?.type !== "Point") {
      continue;
    }
    const [longitude, latitude] = geometry.coordinates;
    const properties = feature.properties || {};
    const marker = L.marker([latitude, longitude], {
      icon: markerIcon,
      keyboard: true,
      title: `${properties.org}: ${properties.name}, ${properties.city}`,
    });
    marker.centreId = properties.id;
    markers.push(marker);
  }
  return markers;
}

// How many centres the markers and clusters on screen stand for.
function shownCount(map, group, markers) {
  const bounds = map.getBounds();
  return markers.filter(
    (marker) => group.getVisibleParent(marker) && bounds.contains(marker.getLatLng()),
  ).length;
}

function afterPaint(callback) {
  window.requestAnimationFrame(() => window.setTimeout(callback, 0));
}

function focusCountry(element, data) {
  try {
    const code = new URL(element.dataset.geojsonUrl, window.location.href).searchParams.get(
      "country",
    );
    const country = (data.countries || []).find((entry) => entry.code === code);
    return country ? country.numeric : null;
  } catch {
    return null;
  }
}

function startMap(element) {
  const map = baseMap(element, { scrollWheelZoom: element.dataset.scrollZoom !== "false" });
  element.leafletMap = map; // for the browser tests
  map.fitBounds(WORLD_VIEW);
  setState(element, "loading", text(element, "textLoading"));

  // Markers go in by chunks, the page staying responsive; the last chunk puts the
  // markers and clusters on the map, right after it reports.
  let whenAllAdded = null;
  const group = L.markerClusterGroup({
    chunkedLoading: true,
    chunkProgress: (processed, total) => {
      if (processed === total && whenAllAdded) {
        whenAllAdded();
      }
    },
    animate: !REDUCED_MOTION,
    showCoverageOnHover: false,
    spiderfyOnMaxZoom: true,
    maxClusterRadius: 60,
    iconCreateFunction: clusterIcon(element),
  });
  group.addTo(map);
  const load = popupLoader(element);
  group.on("click keypress", (event) => {
    const key = event.originalEvent?.key;
    if (event.type === "keypress" && key !== "Enter") {
      return;
    }
    openPopup(map, element, load, event.layer, event.type === "keypress");
  });
  // Escape closes the popup from anywhere in the map (Leaflet listens only while the map
  // itself has the focus), and closing a popup that had the focus puts it back on its
  // marker. The popup may already be out of the page, the focus then on the body.
  let openedPopup = null;
  map.on("popupopen", (event) => {
    openedPopup = event.popup;
  });
  element.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && openedPopup) {
      map.closePopup(openedPopup);
    }
  });
  map.on("popupclose", (event) => {
    if (event.popup === openedPopup) {
      openedPopup = null;
    }
    const marker = event.popup.centreMarker;
    const focused = document.activeElement;
    const popupElement = event.popup.getElement();
    const hadFocus = focused === document.body || popupElement?.contains(focused);
    if (marker && hadFocus && marker.getElement()) {
      marker.getElement().focus();
    }
  });

  // The template preloads the same URL: the request must match it (no extra headers).
  const data = fetch(element.dataset.geojsonUrl, { credentials: "same-origin" }).then(
    (response) => {
      if (!response.ok) {
        throw new Error(`GeoJSON: HTTP ${response.status}`);
      }
      return response.json();
    },
  );

  data.then(
    (collection) => {
      const markers = markersFor(collection.features || []);
      if (!markers.length) {
        setState(element, "empty", text(element, "textEmpty"));
        element.dataset.mapMarkers = "0";
        return;
      }
      const bounds = L.latLngBounds(markers.map((marker) => marker.getLatLng()));
      // Without tiles, closer than a country's scale shows nothing but its colour.
      const closest = element.dataset.tileUrl ? 12 : 5;
      map.fitBounds(bounds, { padding: [32, 32], maxZoom: closest, animate: false });
      whenAllAdded = () =>
        afterPaint(() => {
          setState(element, "ready", "");
          element.dataset.mapMarkers = String(shownCount(map, group, markers));
          window.performance.mark("map-markers-shown");
        });
      group.addLayers(markers, true);
    },
    () => setState(element, "error", text(element, "textError")),
  );

  const certified = data.then(
    (collection) => new Set((collection.countries || []).map((country) => country.numeric)),
    () => new Set(),
  );
  Promise.all([data, showCountries(map, element, certified)])
    .then(([collection, layer]) => {
      if (!(collection.features || []).length) {
        fitCountry(map, layer, focusCountry(element, collection));
      }
    })
    .catch(() => null); // without outlines the markers still work, on the sea
}

// With no centre to show, a country filter still shows its country.
function fitCountry(map, layer, numeric) {
  layer.eachLayer((country) => {
    if (numeric && country.feature.id === numeric) {
      map.fitBounds(country.getBounds(), { animate: false });
    }
  });
}

document.querySelectorAll(".map[data-geojson-url]").forEach(startMap);
