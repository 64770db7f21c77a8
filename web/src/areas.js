// Areas by pcode, fetched once each with a simplified boundary.
import { get } from "./api.js";

const cache = new Map();

// area returns the GeoJSON Feature of the area pcode, boundary included.
export function area(pcode) {
  if (!cache.has(pcode)) {
    const p = get(`/api/v1/areas/${encodeURIComponent(pcode)}?simplify=0.0005`);
    p.catch(() => cache.delete(pcode));
    cache.set(pcode, p);
  }
  return cache.get(pcode);
}
