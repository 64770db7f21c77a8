// A stacked bar chart of counts per month by category, drawn as SVG by
// hand: a chart library would outweigh the rest of the advocate's view.
import { fill, h } from "./dom.js";

const NS = "http://www.w3.org/2000/svg";

function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

// niceMax rounds the tallest bar up to 1, 2 or 5 times a power of ten.
function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

// drawChart draws months (["2026-01", …]) and series ([{name, color,
// values}], one value per month) into el, with label as its accessible
// name.
export function drawChart(el, months, series, { label, empty }) {
  const totals = months.map((_, i) => series.reduce((sum, x) => sum + (x.values[i] || 0), 0));
  if (!totals.some((v) => v > 0)) {
    fill(el, h("p", { class: "muted" }, empty));
    return;
  }
  const top = niceMax(Math.max(...totals));
  // Bars fill the width there is, down to 6 px; below that it scrolls.
  const left = 34;
  const room = Math.max(240, (el.clientWidth || 320) - left - 24);
  const step = Math.max(8, Math.min(36, Math.floor(room / months.length)));
  const gap = Math.max(2, Math.round(step / 5));
  const bar = step - gap;
  const height = 170;
  const plot = 140;
  const width = left + months.length * step + 24;
  const y = (v) => 10 + plot - (v / top) * plot;
  const svg = s("svg", { viewBox: `0 0 ${width} ${height + 14}`, width, height: height + 14, role: "img", "aria-label": label, class: "chart-svg" });
  svg.append(s("title", null, label));
  for (const v of [0, top / 2, top]) {
    svg.append(s("line", { x1: left, x2: width - 4, y1: y(v), y2: y(v), stroke: "#ccc", "stroke-width": 1 }));
    svg.append(s("text", { x: left - 4, y: y(v) + 4, "text-anchor": "end", class: "chart-tick" }, Number.isInteger(v) ? v : v.toFixed(1)));
  }
  // A month label needs about 48 px.
  const every = Math.ceil(48 / step);
  months.forEach((m, i) => {
    const x = left + i * (bar + gap) + gap / 2;
    let base = 0;
    for (const sr of series) {
      const v = sr.values[i] || 0;
      if (!v) continue;
      svg.append(s("rect", { x, y: y(base + v), width: bar, height: y(base) - y(base + v), fill: sr.color }, s("title", null, `${m} · ${sr.name}: ${v}`)));
      base += v;
    }
    if (i % every === 0) svg.append(s("text", { x: x + bar / 2, y: height + 8, "text-anchor": "middle", class: "chart-tick" }, m));
  });
  const key = h(
    "ul",
    { class: "legend-list chart-key" },
    series.filter((sr) => sr.values.some((v) => v > 0)).map((sr) => h("li", null, h("span", { class: "swatch", "data-color": sr.color }), sr.name)),
  );
  fill(el, h("div", { class: "chart-scroll" }, svg), key);
  for (const sw of key.querySelectorAll("[data-color]")) sw.style.background = sw.dataset.color;
}
