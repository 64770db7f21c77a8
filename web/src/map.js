// The Leaflet map: basemap, the three tile layers and what a tap on the map
// does.
import L from "./leaflet.js";
import { get, query } from "./api.js";
import { h } from "./dom.js";
import { formatNumber, nameOf, t } from "./i18n.js";
import { areaRules, choropleth, concernRules, hotspotRules } from "./layers.js";
import { state } from "./state.js";
import { featuresAt, vectorLayer } from "./tiles.js";

export let map = null;

// view is what the tile layers show: which layers, and the filters the
// advocate chose (category, affected, from, to), passed to every tile URL.
export const view = { concerns: false, areas: false, hotspots: false, filters: {} };

const layers = { concerns: null, areas: null, hotspots: null };
// The deepest zoom each layer's tiles are made for, as the server's
// TileJSON says; deeper zooms draw those tiles larger.
const maxZoom = { concerns: 20, areas: 16, hotspots: 12 };

// tapHandler, when set, takes map taps instead of the popup: placing a
// point sets it.
let tapHandler = null;
let renderPopup = null;

// createMap makes the map in el. popup(latlng, features) returns the DOM of
// a concern popup, so that this module knows nothing of forms and roles.
export function createMap(el, popup) {
  renderPopup = popup;
  const cfg = state.config;
  map = L.map(el, { zoomControl: true, minZoom: 3, maxZoom: 19, worldCopyJump: true, tapTolerance: 20 });
  map.attributionControl.setPrefix(false);
  for (const [name, z] of [["areas", 350], ["hotspots", 360], ["concerns", 370]]) {
    map.createPane(name).style.zIndex = String(z);
  }
  if (cfg.basemap_url) {
    L.tileLayer(cfg.basemap_url, { maxZoom: 19, attribution: plainText(cfg.basemap_attribution) }).addTo(map);
  } else {
    el.classList.add("no-basemap");
  }
  fitDefault();
  map.on("click", onTap);
  return map;
}

// fitDefault shows the deployment's bounds, or southeast Myanmar. It does
// not animate: Leaflet drops a setView made during a zoom animation, and
// the user (or a test) may move the map at once.
export function fitDefault() {
  const b = state.config.bounds;
  if (Array.isArray(b) && b.length === 4) map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { animate: false });
  else map.setView([16.9, 97.7], 7, { animate: false });
}

// viewKey names the map's current view, so that code that fetched a
// place to zoom to can tell whether the map moved meanwhile.
export function viewKey() {
  const c = map.getCenter();
  return `${map.getZoom()}/${c.lat.toFixed(6)}/${c.lng.toFixed(6)}`;
}

// fitIfUnmoved zooms to bounds unless the map moved since key was taken:
// whoever moved it, the user or a test, wins over a late answer.
export function fitIfUnmoved(key, bounds, options) {
  if (viewKey() === key) map.fitBounds(bounds, { ...options, animate: false });
}

// plainText turns an attribution that may hold HTML into escaped text, so
// Leaflet, which sets it as HTML, shows it as text.
function plainText(s) {
  const text = new DOMParser().parseFromString(String(s || ""), "text/html").body.textContent || "";
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// loadTileJSON reads each layer's maximum zoom; tiles above it are drawn
// from the deepest ones the server makes.
let tileJSONRead = false;

export async function loadTileJSON() {
  if (tileJSONRead) return;
  tileJSONRead = true;
  await Promise.all(
    Object.keys(maxZoom).map(async (name) => {
      try {
        const tj = await get(`/tiles/${name}.json`);
        if (tj && Number.isInteger(tj.maxzoom)) maxZoom[name] = tj.maxzoom;
      } catch {
        // Keep the default, and ask again next time.
        tileJSONRead = false;
      }
    }),
  );
}

function tileURL(name) {
  const params = { ...view.filters };
  // The choropleth is of village tracts at every zoom, as its classes and
  // table are; outlines follow the server's level for the zoom.
  if (name === "areas" && choropleth.metric !== "outline") params.level = "village_tract";
  return `/tiles/${name}/{z}/{x}/{y}.mvt${query(params)}`;
}

const rulesFor = { concerns: concernRules, areas: areaRules, hotspots: hotspotRules };

// refresh rebuilds the named tile layers from view. fresh revalidates every
// tile with the server, after a write the browser's cache has not seen.
export function refresh(names = ["concerns", "areas", "hotspots"], { fresh = false } = {}) {
  for (const name of names) {
    if (layers[name]) {
      layers[name].remove();
      layers[name] = null;
    }
    if (!view[name]) continue;
    layers[name] = vectorLayer(tileURL(name), rulesFor[name](), {
      pane: name,
      maxDataZoom: maxZoom[name],
      cache: fresh ? "no-cache" : "default",
    }).addTo(map);
  }
}

// repaint draws the layers again from the tiles they hold, for a change
// of colours only, such as count to density.
export function repaint(name) {
  const layer = layers[name];
  if (!layer) return;
  layer.paintRules = rulesFor[name]();
  layer.rerenderTiles();
}

// tilesLoaded resolves when the concerns layer (or the areas layer, if it
// shows no concerns) has drawn every tile in view, or after ms.
export function tilesLoaded(ms = 10000) {
  const layer = layers.concerns || layers.areas;
  return new Promise((resolve) => {
    if (!layer || !layer.isLoading || !layer.isLoading()) {
      setTimeout(resolve, 50);
      return;
    }
    const timer = setTimeout(resolve, ms);
    layer.once("load", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export function setTapHandler(fn) {
  tapHandler = fn;
  map.getContainer().classList.toggle("placing", !!fn);
}

// metresPerPixel at the map's centre latitude and zoom.
function metresPerPixel(lat) {
  return (156543.03392 * Math.cos((lat * Math.PI) / 180)) / 2 ** map.getZoom();
}

async function onTap(e) {
  if (tapHandler) {
    tapHandler(e.latlng);
    return;
  }
  await identify(e.latlng);
}

// identify answers a tap: a cluster zooms in; otherwise the server says
// which concerns near the tap the user may see, and failing those the
// area under it shows its count.
async function identify(latlng) {
  const cluster = featuresAt(layers.concerns, latlng, 24).find((f) => f.props.cluster === true || f.props.cluster === "true");
  if (cluster) {
    map.setView(latlng, Math.min(map.getZoom() + 2, state.config.cluster_below_zoom));
    return;
  }
  if (state.user) {
    const radius = Math.max(1, Math.min(100000, Math.round(12 * metresPerPixel(latlng.lat))));
    const at = `${latlng.lng.toFixed(6)},${latlng.lat.toFixed(6)}`;
    let features = [];
    try {
      const fc = await get(`/api/v1/concerns${query({ near: at, radius, limit: 5 })}`);
      features = (fc && fc.features) || [];
    } catch (err) {
      openPopup(latlng, h("p", null, t("loading_failed", { detail: err.message })));
      return;
    }
    if (features.length) {
      features.sort((a, b) => distance(latlng, a.geometry) - distance(latlng, b.geometry));
      openPopup(latlng, renderPopup(latlng, features));
      return;
    }
  }
  const area = featuresAt(layers.areas, latlng, 1).find((f) => f.geomType === 3);
  if (area) {
    openPopup(latlng, areaPopup(area.props));
  } else if (state.user) {
    openPopup(latlng, h("p", null, t("nothing_here")));
  }
}

// distance is how far a geometry lies from latlng in screen pixels: to
// its nearest segment, 0 inside a polygon's box. The popup shows what was
// tapped first, and a point before a shape around it.
function distance(latlng, g) {
  if (!g || !g.coordinates) return Infinity;
  const at = map.latLngToLayerPoint(latlng);
  const px = ([lon, lat]) => map.latLngToLayerPoint([lat, lon]);
  let best = Infinity;
  const line = (coords) => {
    for (let i = 0; i < coords.length; i++) {
      const a = px(coords[i]);
      const b = i + 1 < coords.length ? px(coords[i + 1]) : a;
      best = Math.min(best, L.LineUtil.pointToSegmentDistance(at, a, b));
    }
  };
  const walk = (c) => (typeof c[0][0] === "number" ? line(c) : c.forEach(walk));
  if (g.type === "Point") best = at.distanceTo(px(g.coordinates));
  else walk(g.type === "MultiPoint" ? [g.coordinates] : g.coordinates);
  if ((g.type === "Polygon" || g.type === "MultiPolygon") && L.geoJSON(g).getBounds().contains(latlng)) best = 0;
  return best + (g.type === "Point" ? 0 : 0.5);
}

function areaPopup(p) {
  const name = nameOf({ name_en: p.name, name_my: p.name_my, pcode: p.pcode });
  const count = p.count_text ?? p.count ?? "0";
  return h(
    "div",
    { class: "popup" },
    h("p", { class: "popup-title" }, t("area_popup", { name, count })),
    typeof p.density === "number" ? h("p", null, t("area_popup_density", { density: formatNumber(p.density) })) : null,
  );
}

export function openPopup(latlng, content) {
  L.popup({ maxWidth: 300, minWidth: 220, autoPanPadding: [16, 16] }).setLatLng(latlng).setContent(content).openOn(map);
}

export function closePopup() {
  map.closePopup();
}

// geometryBounds returns the Leaflet bounds of a GeoJSON geometry.
export function geometryBounds(geometry) {
  return L.geoJSON(geometry).getBounds();
}
