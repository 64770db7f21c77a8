// Leaflet, made global for the plugins that expect window.L
// (protomaps-leaflet when it makes a layer, Geoman when it loads).
import L from "leaflet";
import iconRetinaUrl from "leaflet/dist/images/marker-icon-2x.png";
import iconUrl from "leaflet/dist/images/marker-icon.png";
import shadowUrl from "leaflet/dist/images/marker-shadow.png";

window.L = L;

// Leaflet finds its marker images through its CSS file's path, which a
// bundle renames; give it the bundled names.
delete L.Icon.Default.prototype._getIconUrl;
L.Icon.Default.mergeOptions({ iconUrl, iconRetinaUrl, shadowUrl });

export default L;
