// Drawing lines and areas with Geoman, loaded only for those who report
// concerns: it is the largest part of the app.
import "@geoman-io/leaflet-geoman-free";

const L = window.L;
let active = null;

const style = { color: "#d84315", weight: 4 };

// start lets the user draw shape ("line" or "polygon") on map and calls
// done with its GeoJSON geometry when it is finished.
export function start(map, shape, done) {
  stop(map);
  // Geoman sets map.pm up only for maps made after it loaded.
  if (!map.pm) {
    map.pm = new L.PM.Map(map);
    map.pm.setGlobalOptions({});
  }
  const name = shape === "line" ? "Line" : "Polygon";
  const onCreate = (e) => {
    const geometry = e.layer.toGeoJSON().geometry;
    e.layer.remove();
    stop(map);
    done(geometry);
  };
  map.on("pm:create", onCreate);
  active = { name, onCreate };
  map.pm.enableDraw(name, {
    snappable: false,
    tooltips: false,
    allowSelfIntersection: false,
    templineStyle: style,
    hintlineStyle: { ...style, dashArray: "5,5" },
    pathOptions: style,
  });
}

// finish ends the shape being drawn, as tapping its last point does; it
// does nothing while too few points are down.
export function finish(map) {
  if (!active || !map.pm) return;
  const draw = map.pm.Draw[active.name];
  const points = draw._layer ? draw._layer.getLatLngs().length : 0;
  if (points >= (active.name === "Line" ? 2 : 3)) draw._finishShape();
}

export function stop(map) {
  if (!active) return;
  map.off("pm:create", active.onCreate);
  active = null;
  if (map.pm) map.pm.disableDraw();
}
