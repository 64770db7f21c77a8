// Vector tiles from the server's /tiles endpoints, drawn by protomaps-leaflet.
//
// protomaps-leaflet's own z/x/y source parses whatever body arrives and
// keeps no word of HTTP status or caching. This source treats 204 and
// errors as an empty tile (a visitor's 401, or a server without tiles yet,
// then shows a plain map instead of a console full of parse errors), and
// can revalidate with the server after a write, so a new concern shows at
// once without adding query parameters the server does not know.
import { VectorTile } from "@mapbox/vector-tile";
import Pbf from "pbf";
import { TileCache, View, leafletLayer } from "protomaps-leaflet";

class ApiTileSource {
  constructor(template, cache) {
    this.template = template;
    this.cache = cache;
    this.pending = [];
  }

  async get(c, tileSize) {
    // Drop the requests of zoom levels no longer shown, as protomaps does.
    this.pending = this.pending.filter((p) => {
      if (p.z === c.z) return true;
      p.controller.abort();
      return false;
    });
    const entry = { z: c.z, controller: new AbortController() };
    this.pending.push(entry);
    const url = this.template.replace("{z}", c.z).replace("{x}", c.x).replace("{y}", c.y);
    try {
      const res = await fetch(url, { signal: entry.controller.signal, credentials: "same-origin", cache: this.cache });
      if (res.status === 204 || !res.ok) return new Map();
      return parseTile(await res.arrayBuffer(), tileSize);
    } finally {
      this.pending = this.pending.filter((p) => p !== entry);
    }
  }
}

// parseTile reads an MVT into protomaps' features: geometry scaled to the
// tile's pixels, with each feature's bounding box.
function parseTile(buf, tileSize) {
  const out = new Map();
  if (!buf.byteLength) return out;
  const tile = new VectorTile(new Pbf(new Uint8Array(buf)));
  for (const [name, layer] of Object.entries(tile.layers)) {
    const scale = tileSize / layer.extent;
    const features = [];
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i);
      const geom = f.loadGeometry();
      let minX = Infinity;
      let minY = Infinity;
      let maxX = -Infinity;
      let maxY = -Infinity;
      let n = 0;
      for (const part of geom) {
        for (const p of part) {
          p.x *= scale;
          p.y *= scale;
          if (p.x < minX) minX = p.x;
          if (p.x > maxX) maxX = p.x;
          if (p.y < minY) minY = p.y;
          if (p.y > maxY) maxY = p.y;
          n++;
        }
      }
      features.push({ id: f.id, geomType: f.type, geom, numVertices: n, bbox: { minX, minY, maxX, maxY }, props: f.properties });
    }
    out.set(name, features);
  }
  return out;
}

// vectorLayer makes a Leaflet layer that draws template's tiles with
// paintRules. Display zoom and data zoom are the same (levelDiff 0), so the
// server's clustering threshold holds on screen exactly. cache is a fetch
// cache mode: "no-cache" revalidates every tile, for use after a write.
export function vectorLayer(template, paintRules, { maxDataZoom = 16, pane, cache = "default" } = {}) {
  const layer = leafletLayer({ url: template, paintRules, labelRules: [], attribution: "", pane, maxDataZoom, levelDiff: 0 });
  // leafletLayer builds its own views from url; this one swaps in the source
  // above, through the exported View and TileCache.
  layer.views = new Map([["", new View(new TileCache(new ApiTileSource(template, cache), 256), maxDataZoom, 0)]]);
  return layer;
}

// featuresAt returns the features of layer's cached tiles under a point.
export function featuresAt(layer, latlng, brush = 16) {
  if (!layer || !layer._map) return [];
  const picked = layer.queryTileFeaturesDebug(latlng.lng, latlng.lat, brush).get("") || [];
  return picked.map((p) => p.feature);
}
