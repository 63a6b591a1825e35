// The training-centre picker: a small map beside the latitude and longitude fields
// (templates/training/_centre_picker.html). A click on the map, or dragging the marker, fills
// in both fields with six decimals (about 10 cm, what the form keeps); valid coordinates
// typed in the fields move the marker. The fields stay the way to enter a place: without
// JavaScript, or without a pointer, they work on their own.
//
// An ES module on top of map.js's base map; Leaflet's global `L` is loaded before it.

import { baseMap, markerIcon, showCountries, text, WORLD_VIEW } from "./map.js";

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

// The form's own reading of a coordinate: a point or a comma, and the typographic minus.
function coordinate(input, limit) {
  const value = input.value.trim().replace(",", ".").replace("\u2212", "-");
  if (!DECIMAL.test(value)) {
    return null;
  }
  const number = Number(value);
  return Number.isFinite(number) && Math.abs(number) <= limit ? number : null;
}

function typedPlace(latitudeInput, longitudeInput) {
  const latitude = coordinate(latitudeInput, 90);
  const longitude = coordinate(longitudeInput, 180);
  return latitude === null || longitude === null ? null : L.latLng(latitude, longitude);
}

function startPicker(element) {
  const latitudeInput = document.getElementById(element.dataset.latitudeInput);
  const longitudeInput = document.getElementById(element.dataset.longitudeInput);
  if (!latitudeInput || !longitudeInput) {
    return;
  }
  const block = element.closest("[data-centre-picker-block]");
  if (block) {
    block.hidden = false; // before Leaflet measures the map
  }
  const status = block?.querySelector("[data-picker-status]");
  const map = baseMap(element, { scrollWheelZoom: false });
  // Streets on tiles; without them a region, whose coasts and borders tell where it is.
  const placeZoom = element.dataset.tileUrl ? 15 : 6;
  element.leafletMap = map; // for the browser tests
  // Without the outlines the picker still works, on a plain background.
  showCountries(map, element, Promise.resolve(new Set())).catch(() => null);

  const marker = L.marker([0, 0], {
    icon: markerIcon,
    draggable: true,
    keyboard: false, // the fields are the keyboard's way in
    title: text(element, "textMarker"),
  });

  function show(place) {
    marker.setLatLng(place);
    if (!map.hasLayer(marker)) {
      marker.addTo(map);
    }
  }

  function fill(place) {
    const point = place.wrap();
    const latitude = point.lat.toFixed(6);
    const longitude = point.lng.toFixed(6);
    latitudeInput.value = latitude;
    longitudeInput.value = longitude;
    for (const input of [latitudeInput, longitudeInput]) {
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    show(point);
    if (status) {
      status.textContent = text(element, "textSet", { latitude, longitude });
    }
  }

  map.on("click", (event) => fill(event.latlng));
  marker.on("dragend", () => fill(marker.getLatLng()));

  function follow() {
    const place = typedPlace(latitudeInput, longitudeInput);
    if (place) {
      show(place);
      map.setView(place, Math.max(map.getZoom(), placeZoom));
    }
  }
  latitudeInput.addEventListener("input", follow);
  longitudeInput.addEventListener("input", follow);

  const initial = typedPlace(latitudeInput, longitudeInput);
  if (initial) {
    show(initial);
    map.setView(initial, placeZoom);
  } else {
    map.fitBounds(WORLD_VIEW);
  }
}

document.querySelectorAll("[data-centre-picker]").forEach(startPicker);
