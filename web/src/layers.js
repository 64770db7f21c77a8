// Paint rules for the three tile layers (concerns, areas, hotspots), the
// choropleth classes and the legend.
import { CircleSymbolizer, LineSymbolizer, PolygonSymbolizer, createPattern } from "protomaps-leaflet";
import { h, fill } from "./dom.js";
import { formatNumber, nameOf, t } from "./i18n.js";
import { categoryColor, state } from "./state.js";

// drawn holds the id of every concern drawn from the tiles since the last
// sign-in or sign-out: the browser tests read it through
// window.concernmapDebug.drawnConcernIds to check what reached the screen.
export const drawn = new Set();

function record(f) {
  if (f.props.id != null) drawn.add(String(f.props.id));
  return true;
}

const isCluster = (f) => f.props.cluster === true || f.props.cluster === "true";
const faded = (f) => f.props.status === "resolved" || f.props.status === "closed";

// Symbolizer attributes are functions of (zoom, feature); protomaps reads
// them per feature only when the function takes both arguments.
export function concernRules() {
  const color = (z, f) => categoryColor(f.props.category);
  return [
    {
      dataLayer: "concerns",
      symbolizer: new PolygonSymbolizer({ fill: color, opacity: (z, f) => (faded(f) ? 0.12 : 0.3) }),
      filter: (z, f) => f.geomType === 3 && !isCluster(f) && record(f),
    },
    {
      dataLayer: "concerns",
      symbolizer: new LineSymbolizer({ color: "#ffffff", width: (z, f) => (f.geomType === 2 ? 6 : 3.5), opacity: 0.9 }),
      filter: (z, f) => f.geomType !== 1 && !isCluster(f),
    },
    {
      dataLayer: "concerns",
      symbolizer: new LineSymbolizer({
        color,
        width: (z, f) => (f.geomType === 2 ? 3.5 : 1.8),
        opacity: (z, f) => (faded(f) ? 0.45 : 1),
        lineCap: "round",
        lineJoin: "round",
      }),
      filter: (z, f) => f.geomType === 2 && !isCluster(f) && record(f),
    },
    {
      dataLayer: "concerns",
      symbolizer: new LineSymbolizer({ color, width: 1.8, opacity: (z, f) => (faded(f) ? 0.45 : 1) }),
      filter: (z, f) => f.geomType === 3 && !isCluster(f),
    },
    {
      dataLayer: "concerns",
      symbolizer: new CircleSymbolizer({
        radius: (z, f) => 4 + 0.9 * (Number(f.props.severity) || 3),
        fill: color,
        stroke: "#ffffff",
        width: 1.5,
        opacity: (z, f) => (faded(f) ? 0.45 : 1),
      }),
      filter: (z, f) => f.geomType === 1 && !isCluster(f) && record(f),
    },
    { dataLayer: "concerns", symbolizer: clusterSymbolizer, filter: (z, f) => isCluster(f) },
  ];
}

// clusterSymbolizer draws a circle sized by the count, in the colour of the
// category with the most concerns in it, with the count written inside.
const clusterSymbolizer = {
  draw(ctx, geom, z, f) {
    const n = Number(f.props.count) || 0;
    const r = Math.min(26, 9 + 4 * Math.log10(Math.max(n, 1)));
    let best = "";
    let most = -1;
    for (const [k, v] of Object.entries(f.props)) {
      if (k.startsWith("n_") && Number(v) > most) {
        most = Number(v);
        best = k.slice(2);
      }
    }
    const { x, y } = geom[0][0];
    ctx.globalAlpha = 0.88;
    ctx.fillStyle = best ? categoryColor(best) : "#34495e";
    ctx.strokeStyle = "#ffffff";
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
    ctx.globalAlpha = 1;
    const label = n >= 10000 ? `${Math.round(n / 1000)}k` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);
    ctx.font = "bold 11px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.lineWidth = 3;
    ctx.strokeStyle = "rgba(0,0,0,0.55)";
    ctx.strokeText(label, x, y);
    ctx.fillStyle = "#ffffff";
    ctx.fillText(label, x, y);
  },
};

// The choropleth's five classes, light to dark (ColorBrewer OrRd).
export const ramp = ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"];
const suppressedColor = "#9e9e9e";

// Fallback breaks, the lower bounds of classes 2 to 5, until statistics
// give better ones.
const defaultBreaks = { count: [2, 5, 10, 20], density: [0.01, 0.05, 0.1, 0.5] };

// choropleth holds what the areas layer shows: "outline" for the
// community and authorities, "count" or "density" for advocates and the
// public map, and the breaks between classes.
export const choropleth = { metric: "outline", breaks: { ...defaultBreaks } };

// setBreaks derives quantile breaks from the values of the tracts shown,
// rounded so the legend reads well.
export function setBreaks(metric, values) {
  const v = values.filter((x) => typeof x === "number" && x > 0).sort((a, b) => a - b);
  const out = [];
  for (const q of [0.2, 0.4, 0.6, 0.8]) {
    if (!v.length) break;
    let b = v[Math.min(v.length - 1, Math.floor(q * v.length))];
    b = metric === "count" ? Math.ceil(b) : Number(b.toPrecision(2));
    if (!out.length || b > out[out.length - 1]) out.push(b);
  }
  choropleth.breaks[metric] = out.length === 4 && (metric !== "count" || out[0] > 1) ? out : defaultBreaks[metric];
}

export function classOf(value, metric = choropleth.metric) {
  const b = choropleth.breaks[metric] || defaultBreaks[metric];
  let i = 0;
  while (i < b.length && value >= b[i]) i++;
  return i;
}

function areaValue(f) {
  const key = choropleth.metric === "density" ? "density" : "count";
  const v = f.props[key];
  return typeof v === "number" ? v : null;
}

const suppressed = (f) => typeof f.props.count !== "number";

const hatch = () =>
  createPattern(8, 8, (canvas, ctx) => {
    ctx.strokeStyle = suppressedColor;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(0, 8);
    ctx.lineTo(8, 0);
    ctx.stroke();
  });

export function areaRules() {
  if (choropleth.metric === "outline") {
    return [
      {
        dataLayer: "areas",
        symbolizer: new LineSymbolizer({ color: "#3d5a80", width: (z) => (z >= 11 ? 1.4 : 0.7), opacity: 0.8 }),
      },
    ];
  }
  return [
    {
      dataLayer: "areas",
      symbolizer: new PolygonSymbolizer({ fill: (z, f) => ramp[classOf(areaValue(f))], opacity: 0.7 }),
      filter: (z, f) => !suppressed(f) && areaValue(f) > 0,
    },
    { dataLayer: "areas", symbolizer: new PolygonSymbolizer({ pattern: hatch(), opacity: 0.8 }), filter: (z, f) => suppressed(f) },
    { dataLayer: "areas", symbolizer: new LineSymbolizer({ color: "#5d4037", width: (z) => (z >= 11 ? 1 : 0.5), opacity: 0.6 }) },
  ];
}

// Hotspot classes, hot in reds and cold in blues; not significant is not
// drawn at all.
export const hotspotColors = {
  hot_99: "#b2182b",
  hot_95: "#ef8a62",
  hot_90: "#fddbc7",
  cold_90: "#d1e5f0",
  cold_95: "#67a9cf",
  cold_99: "#2166ac",
};

export function hotspotRules() {
  const drawnClass = (f) => f.props.class in hotspotColors;
  return [
    {
      dataLayer: "hotspots",
      symbolizer: new PolygonSymbolizer({ fill: (z, f) => hotspotColors[f.props.class], opacity: 0.5 }),
      filter: (z, f) => drawnClass(f),
    },
    {
      dataLayer: "hotspots",
      symbolizer: new LineSymbolizer({ color: (z, f) => (f.props.class.startsWith("hot") ? "#67001f" : "#053061"), width: 1.2 }),
      filter: (z, f) => drawnClass(f),
    },
  ];
}

// renderLegend draws the legend for what the map shows now.
export function renderLegend(el, { concerns, hotspots }) {
  const k = state.config.k;
  const rows = [];
  const swatch = (cls, color) => h("span", { class: `swatch ${cls || ""}`, "data-color": color || "" });
  if (choropleth.metric !== "outline") {
    const metric = choropleth.metric;
    const b = choropleth.breaks[metric];
    const fmt = metric === "count" ? (x) => String(x) : formatNumber;
    rows.push(h("li", { class: "legend-head" }, t(metric === "count" ? "metric_count" : "metric_density")));
    for (let i = 0; i < 5; i++) {
      let label;
      if (metric === "count") {
        const lo = i === 0 ? 1 : b[i - 1];
        const hi = i < 4 ? b[i] - 1 : null;
        label = hi === null ? `≥ ${lo}` : hi <= lo ? `${lo}` : `${lo}–${hi}`;
      } else {
        label = i === 0 ? `< ${fmt(b[0])}` : i < 4 ? `${fmt(b[i - 1])}–${fmt(b[i])}` : `≥ ${fmt(b[3])}`;
      }
      rows.push(h("li", null, swatch("", ramp[i]), label));
    }
    rows.push(h("li", null, swatch("hatched"), t("legend_suppressed", { k })));
    rows.push(h("li", null, swatch("empty"), t("legend_zero")));
  }
  if (hotspots) {
    for (const cls of Object.keys(hotspotColors)) rows.push(h("li", null, swatch("", hotspotColors[cls]), t(cls)));
  }
  if (concerns) {
    rows.push(h("li", { class: "legend-head" }, t("legend_concerns")));
    for (const c of state.categories) {
      if (!c.sensitive) rows.push(h("li", null, swatch("dot", c.color), nameOf(c)));
    }
    rows.push(h("li", null, swatch("cluster"), t("legend_cluster")));
  }
  fill(el, h("ul", { class: "legend-list" }, rows));
  // Colours come from data, so they are set through the CSSOM, which the
  // Content-Security-Policy allows, not through style attributes.
  for (const s of el.querySelectorAll("[data-color]")) if (s.dataset.color) s.style.background = s.dataset.color;
}
