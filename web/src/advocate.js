// The advocate's view: the village-tract choropleth and hotspots with their
// filters, the monthly chart, the ranked table and the print layout.
// Loaded only for advocates and admins.
import { get, query } from "./api.js";
import { drawChart } from "./chart.js";
import { $, fill, h, show } from "./dom.js";
import { formatDate, formatNumber, nameOf, onLangChange, t } from "./i18n.js";
import { choropleth, renderLegend, setBreaks } from "./layers.js";
import { map, refresh, repaint, view } from "./map.js";
import { category, groups, state } from "./state.js";

const tableRows = 100;
let months = []; // every month from the first report to the last, "2026-01"
let chartLevel = "state"; // the top level that has areas, summed for the chart
let tracts = []; // GET /api/v1/stats?level=village_tract rows
let chart = null; // {months, byCategory: {key: [counts]}}
let wired = false;
let active = false;
let loadSeq = 0;

export async function enableAdvocate() {
  active = true;
  if (!wired) wire();
  buildSelects();
  choropleth.metric = $("choropleth-metric").value || "count";
  view.concerns = true;
  view.areas = true;
  view.hotspots = $("layer-hotspots").checked;
  // The map starts on all the data at once; the slider's months and the
  // statistics follow.
  view.filters = {};
  refresh();
  await loadMonths();
  await apply({ layers: false });
}

export function disableAdvocate() {
  active = false;
  exitPrint();
  view.filters = {};
  view.hotspots = false;
}

function wire() {
  wired = true;
  $("choropleth-metric").addEventListener("change", () => {
    choropleth.metric = $("choropleth-metric").value;
    repaint("areas");
    legend();
    renderTable();
  });
  $("layer-hotspots").addEventListener("change", () => {
    view.hotspots = $("layer-hotspots").checked;
    refresh(["hotspots"]);
    legend();
  });
  $("filter-category").addEventListener("change", () => apply());
  $("filter-affected").addEventListener("change", () => apply());
  for (const id of ["time-from", "time-to"]) {
    $(id).addEventListener("input", () => clampRange(id));
    $(id).addEventListener("change", () => apply());
  }
  $("print-button").addEventListener("click", enterPrint);
  $("print-now").addEventListener("click", () => window.print());
  $("print-back").addEventListener("click", exitPrint);
  window.addEventListener("beforeprint", () => map.invalidateSize());
  onLangChange(() => {
    if (!active) return;
    buildSelects();
    legend();
    renderTable();
    renderChart();
    printTexts();
  });
}

function buildSelects() {
  const cat = $("filter-category");
  const grp = $("filter-affected");
  const c = cat.value;
  const g = grp.value;
  fill(cat, h("option", { value: "" }, t("all_categories")), state.categories.map((x) => h("option", { value: x.key }, nameOf(x))));
  fill(grp, h("option", { value: "" }, t("all_groups")), groups.map((x) => h("option", { value: x }, t(`group_${x}`))));
  cat.value = c;
  grp.value = g;
}

// loadMonths finds the months the data spans, from the top level that has
// areas, for the time slider's ends.
async function loadMonths() {
  const seen = new Set();
  for (const level of ["state", "township", "village_tract"]) {
    try {
      const data = await get(`/api/v1/stats${query({ level })}`);
      const areas = (data && data.areas) || [];
      if (!areas.length) continue;
      chartLevel = level;
      for (const a of areas) for (const m of a.monthly || []) seen.add(m.month);
      break;
    } catch {
      // Try the next level down.
    }
  }
  const sorted = [...seen].sort();
  months = sorted.length ? monthRange(sorted[0], sorted[sorted.length - 1]) : [];
  for (const id of ["time-from", "time-to"]) $(id).max = String(Math.max(0, months.length - 1));
  $("time-from").value = "0";
  $("time-to").value = String(Math.max(0, months.length - 1));
  show($("time-range"), months.length > 1);
  clampRange("time-to");
}

function monthRange(first, last) {
  const out = [];
  let [y, m] = first.split("-").map(Number);
  const [ly, lm] = last.split("-").map(Number);
  while (y < ly || (y === ly && m <= lm)) {
    out.push(`${y}-${String(m).padStart(2, "0")}`);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

// clampRange keeps from ≤ to, moving the other handle, and shows the months.
function clampRange(moved) {
  const from = $("time-from");
  const to = $("time-to");
  if (Number(from.value) > Number(to.value)) {
    if (moved === "time-from") to.value = from.value;
    else from.value = to.value;
  }
  $("time-from-value").textContent = months[Number(from.value)] || "";
  $("time-to-value").textContent = months[Number(to.value)] || "";
  from.dataset.month = months[Number(from.value)] || "";
  to.dataset.month = months[Number(to.value)] || "";
}

// filters are the query parameters every tile URL and statistic shares.
function filters() {
  const f = {};
  if ($("filter-category").value) f.category = $("filter-category").value;
  if ($("filter-affected").value) f.affected = $("filter-affected").value;
  const i = Number($("time-from").value);
  const j = Number($("time-to").value);
  if (months.length > 1 && (i > 0 || j < months.length - 1)) {
    f.from = `${months[i]}-01`;
    const [y, m] = months[j].split("-").map(Number);
    f.to = `${months[j]}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, "0")}`;
  }
  return f;
}

// apply passes the filters to the tile layers (unless layers is false) and
// loads the statistics for them.
async function apply({ layers = true } = {}) {
  view.filters = filters();
  if (layers) refresh();
  $("tract-csv").href = `/api/v1/stats${query({ level: "village_tract", format: "csv", ...view.filters })}`;
  printTexts();
  const seq = ++loadSeq;
  $("advocate-status").textContent = t("loading");
  try {
    await Promise.all([loadTracts(seq), loadChart(seq)]);
    if (seq === loadSeq) $("advocate-status").textContent = "";
  } catch (err) {
    if (seq === loadSeq) $("advocate-status").textContent = t("loading_failed", { detail: err.message });
  }
}

async function loadTracts(seq) {
  const data = await get(`/api/v1/stats${query({ level: "village_tract", ...view.filters })}`);
  if (seq !== loadSeq) return;
  tracts = (data && data.areas) || [];
  setBreaks("count", tracts.map((a) => a.total));
  setBreaks("density", tracts.map((a) => a.density_per_km2));
  repaint("areas");
  legend();
  renderTable();
}

// loadChart counts each category per month: one small request per
// category at the top level, summed over its areas. A suppressed count
// ("<5") adds nothing.
async function loadChart(seq) {
  const keys = view.filters.category ? [view.filters.category] : state.categories.map((c) => c.key);
  const results = await Promise.all(
    keys.map((key) => get(`/api/v1/stats${query({ level: chartLevel, ...view.filters, category: key })}`).then((d) => [key, d])),
  );
  if (seq !== loadSeq) return;
  const i = Number($("time-from").value);
  const j = Number($("time-to").value);
  const shown = months.length ? months.slice(i, j + 1) : [];
  const byCategory = {};
  for (const [key, data] of results) {
    const values = shown.map(() => 0);
    for (const a of (data && data.areas) || []) {
      for (const m of a.monthly || []) {
        const k = shown.indexOf(m.month);
        if (k >= 0 && typeof m.count === "number") values[k] += m.count;
      }
    }
    byCategory[key] = values;
  }
  chart = { months: shown, byCategory };
  renderChart();
}

function renderChart() {
  if (!chart) return;
  const series = Object.entries(chart.byCategory).map(([key, values]) => {
    const c = category(key);
    return { name: c ? nameOf(c) : key, color: (c && c.color) || "#607d8b", values };
  });
  drawChart($("chart-monthly"), chart.months, series, { label: t("chart_label"), empty: t("chart_empty") });
  $("chart-monthly").append(h("p", { class: "muted small" }, t("chart_note", { k: state.config.k })));
}

// rank orders tracts by their count; a suppressed "<5" ranks as 0.
const numeric = (v) => (typeof v === "number" ? v : 0);

function renderTable() {
  const density = choropleth.metric === "density";
  const rows = [...tracts].sort((a, b) => {
    const d = density ? numeric(b.density_per_km2) - numeric(a.density_per_km2) : numeric(b.total) - numeric(a.total);
    return d || numeric(b.total) - numeric(a.total) || nameOf(a).localeCompare(nameOf(b));
  });
  const top = (a) => {
    let best = "";
    let most = 0;
    for (const [k, v] of Object.entries(a.by_category || {})) {
      if (numeric(v) > most) {
        most = numeric(v);
        best = k;
      }
    }
    const c = category(best);
    return best ? (c ? nameOf(c) : best) : "–";
  };
  // The most reported category stands under the tract's name, so the
  // table fits a phone's width.
  fill(
    $("tract-table"),
    h("thead", null,
      h("tr", null,
        ["col_rank", "col_tract", "col_reports", "col_density"].map((k) => h("th", { scope: "col" }, t(k))),
      ),
    ),
    h("tbody", null,
      rows.slice(0, tableRows).map((a, i) =>
        h("tr", { "data-pcode": a.pcode },
          h("td", null, String(i + 1)),
          h("th", { scope: "row" }, nameOf(a), h("span", { class: "top" }, `${t("col_top")}: ${top(a)}`)),
          h("td", { class: "num" }, String(a.total)),
          h("td", { class: "num" }, typeof a.density_per_km2 === "number" ? formatNumber(a.density_per_km2) : "–"),
        ),
      ),
    ),
  );
  if (rows.length > tableRows) {
    $("tract-table").append(h("caption", { class: "muted" }, t("table_more", { n: rows.length - tableRows })));
  }
}

function legend() {
  renderLegend($("legend"), { concerns: view.concerns, hotspots: view.hotspots });
}

function printTexts() {
  const parts = [];
  const c = category($("filter-category").value);
  parts.push(c ? nameOf(c) : t("all_categories"));
  parts.push($("filter-affected").value ? t(`group_${$("filter-affected").value}`) : t("all_groups"));
  if (months.length) parts.push(`${months[Number($("time-from").value)]} – ${months[Number($("time-to").value)]}`);
  parts.push(t(choropleth.metric === "density" ? "metric_density" : "metric_count"));
  if (view.hotspots) parts.push(t("layer_hotspots"));
  $("print-filters").textContent = t("filters_now", { filters: parts.join(" · ") });
  const sensitive = state.categories.filter((x) => x.sensitive).map(nameOf).join(", ");
  $("print-data-note").textContent = t("data_note", { k: state.config.k, sensitive });
  $("print-meta").textContent = t("printed_on", { date: formatDate(new Date().toISOString()) });
  if (!$("print-title").dataset.edited) $("print-title").value = t("print_title_default");
}

// enterPrint switches to the print layout: title, date, map, legend and
// the data note, sized for A4, with the controls put away.
function enterPrint() {
  printTexts();
  $("print-title").addEventListener("input", () => ($("print-title").dataset.edited = "1"), { once: true });
  document.body.classList.add("print-layout");
  show($("print-head"), true);
  show($("print-note"), true);
  show($("legend-box"), true);
  map.invalidateSize();
  window.scrollTo(0, 0);
  $("print-title").focus();
}

function exitPrint() {
  if (!document.body.classList.contains("print-layout")) return;
  document.body.classList.remove("print-layout");
  show($("print-head"), false);
  show($("print-note"), false);
  map.invalidateSize();
  $("print-button").focus();
}
