// Reporting a concern: choosing the place (Locate me, a tap, a drawn line
// or area), the short form, and sending it so that a weak network loses
// nothing. A new report gets its UUID once and keeps it through every
// retry, so the server stores it once however often it arrives.
import L from "./leaflet.js";
import { ApiError, call, uuid } from "./api.js";
import { $, fill, h, show } from "./dom.js";
import { nameOf, onLangChange, t } from "./i18n.js";
import { closePopup, map, setTapHandler } from "./map.js";
import { categoryIcon } from "./icons.js";
import { emit, groups, on, state, whenKinds } from "./state.js";

let geometry = null; // the place chosen, as GeoJSON
let preview = null; // the Leaflet layer that shows it
let tool = null; // "point", "line" or "polygon" while one is active
let clientId = null; // the new report's UUID, kept across retries
let editing = null; // {id, version, moved} while editing a concern
let drawModule = null;
let accuracy = null;

const form = () => $("concern-form");

export function initReport() {
  buildChoices();
  $("locate-me").addEventListener("click", locate);
  $("draw-point").addEventListener("click", () => (tool === "point" ? stopTool() : startPoint()));
  $("draw-line").addEventListener("click", () => (tool === "line" ? stopTool() : startShape("line")));
  $("draw-polygon").addEventListener("click", () => (tool === "polygon" ? stopTool() : startShape("polygon")));
  $("hint-centre").addEventListener("click", () => {
    const c = map.getCenter();
    placeAt(c.lng, c.lat);
  });
  $("hint-finish").addEventListener("click", () => drawModule && drawModule.finish(map));
  $("hint-cancel").addEventListener("click", stopTool);
  $("f-when").addEventListener("change", () => show($("f-window"), $("f-when").value === "window"));
  form().addEventListener("submit", submit);
  $("f-cancel").addEventListener("click", () => {
    dropPending();
    resetForm();
    status("");
  });
  $("pending-send").addEventListener("click", () => $("f-submit").click());
  $("pending-discard").addEventListener("click", () => {
    dropPending();
    resetForm();
  });
  on("edit", startEdit);
  onLangChange(() => {
    buildChoices();
    describeGeometry();
  });
}

// enableReport readies reporting for a signed-in member or coordinator: an
// unsent report comes back, and the drawing tools start loading.
export function enableReport() {
  const pending = loadPending();
  if (pending) {
    clientId = pending.id;
    fillForm(pending.properties);
    $("f-anonymous").checked = !!pending.properties.anonymous;
    setGeometry(pending.geometry, { scroll: false });
    show($("pending-box"), true);
  }
  // Fetch the drawing tools once the map has had its turn on the network.
  setTimeout(() => loadDraw().catch(() => {}), 3000);
}

// disableReport puts everything away, at sign-out.
export function disableReport() {
  stopTool();
  resetForm();
  status("");
}

// buildChoices fills the category, affected-group and danger-time choices
// in the current language, keeping what was chosen.
function buildChoices() {
  const chosen = new Set([...form().querySelectorAll("input:checked")].map((i) => `${i.name}=${i.value}`));
  const when = $("f-when").value || "always";
  fill(
    $("f-category-list"),
    state.categories.map((c) =>
      h(
        "label",
        { class: "choice" },
        h("input", { type: "radio", name: "category", value: c.key, checked: chosen.has(`category=${c.key}`) }),
        categoryIcon(c),
        h("span", null, nameOf(c), c.sensitive ? h("small", { class: "muted block" }, t("sensitive_note")) : null),
      ),
    ),
  );
  fill(
    $("f-affected-list"),
    groups.map((g) =>
      h(
        "label",
        { class: "choice" },
        h("input", { type: "checkbox", name: "affected", value: g, checked: chosen.has(`affected=${g}`) }),
        h("span", null, t(`group_${g}`)),
      ),
    ),
  );
  fill($("f-when"), whenKinds.map((k) => h("option", { value: k }, t(`when_${k}`))));
  $("f-when").value = when;
}

function status(text, kind = "") {
  const el = $("report-status");
  el.textContent = text;
  el.className = `status ${kind}`;
}

// showHint shows what to do now over the map, with the buttons that fit.
function showHint(key, { centre = false, finish = false } = {}) {
  $("map-hint-text").textContent = t(key);
  show($("hint-centre"), centre);
  show($("hint-finish"), finish);
  show($("map-hint"), true);
}

function pressed(active) {
  for (const [id, name] of [["draw-point", "point"], ["draw-line", "line"], ["draw-polygon", "polygon"]]) {
    $(id).setAttribute("aria-pressed", String(active === name));
  }
}

function startPoint() {
  stopTool();
  tool = "point";
  pressed(tool);
  closePopup();
  setTapHandler((latlng) => placeAt(latlng.lng, latlng.lat));
  showHint("hint_point", { centre: true });
}

// placeAt puts the point at lon, lat: what a tap in placing mode, the map
// centre button and Locate me all do.
export function placeAt(lon, lat) {
  stopTool();
  setGeometry({ type: "Point", coordinates: [round(lon), round(lat)] });
}

function loadDraw() {
  if (!drawModule) {
    drawModule = import("./draw.js").catch((err) => {
      drawModule = null;
      throw err;
    });
  }
  return Promise.resolve(drawModule).then((m) => (drawModule = m));
}

async function startShape(shape) {
  stopTool();
  tool = shape;
  pressed(tool);
  closePopup();
  // While drawing, taps belong to Geoman, not to the popup.
  setTapHandler(() => {});
  showHint("drawing_loading");
  let m;
  try {
    m = await loadDraw();
  } catch {
    stopTool();
    status(t("drawing_failed"), "error");
    return;
  }
  if (tool !== shape) return;
  m.start(map, shape, shapeDone);
  showHint(shape === "line" ? "hint_line" : "hint_polygon", { finish: true });
}

// shapeDone takes a finished line or area: Geoman calls it, and so does
// window.concernmapDebug.drawLine.
export function shapeDone(g) {
  stopTool();
  const coords = g.type === "Polygon" ? g.coordinates.map((ring) => ring.map(roundPair)) : g.coordinates.map(roundPair);
  setGeometry({ type: g.type, coordinates: coords });
}

function stopTool() {
  if (tool && tool !== "point" && drawModule && drawModule.stop) drawModule.stop(map);
  tool = null;
  pressed(null);
  if (map) setTapHandler(null);
  show($("map-hint"), false);
}

const round = (x) => Math.round(x * 1e6) / 1e6;
const roundPair = ([x, y]) => [round(x), round(y)];

function setGeometry(g, { scroll = true } = {}) {
  geometry = g;
  if (editing) editing.moved = true;
  if (preview) preview.remove();
  preview = null;
  if (g) {
    const style = { color: "#d84315", weight: 4, interactive: false };
    if (g.type === "Point") {
      preview = L.circleMarker([g.coordinates[1], g.coordinates[0]], {
        ...style,
        radius: 10,
        fillColor: "#ffeb3b",
        fillOpacity: 1,
        color: "#000",
        weight: 3,
      });
    } else {
      preview = L.geoJSON(g, { style: () => ({ ...style, fillOpacity: 0.2, dashArray: "8,6" }), interactive: false });
    }
    preview.addTo(map);
  }
  const wasHidden = form().hidden;
  show(form(), true);
  describeGeometry();
  $("f-geometry-error").textContent = "";
  if (wasHidden && scroll) form().scrollIntoView({ block: "start" });
}

function describeGeometry() {
  const el = $("f-geometry");
  if (!geometry) el.textContent = t("geom_none");
  else if (geometry.type === "Point") el.textContent = t("geom_point");
  else if (geometry.type === "LineString") el.textContent = t("geom_line", { n: geometry.coordinates.length });
  else el.textContent = t("geom_polygon", { n: Math.max(0, geometry.coordinates[0].length - 1) });
  if (editing) el.textContent += ` ${t("change_place")}`;
}

function locate() {
  if (!("geolocation" in navigator) || !window.isSecureContext) {
    status(t("geo_unsupported"), "error");
    return;
  }
  status(t("locating"));
  $("locate-me").disabled = true;
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      $("locate-me").disabled = false;
      const { latitude, longitude, accuracy: m } = pos.coords;
      map.setView([latitude, longitude], Math.max(map.getZoom(), 16));
      if (accuracy) accuracy.remove();
      accuracy = L.circle([latitude, longitude], { radius: m, color: "#1565c0", weight: 1, fillOpacity: 0.08, interactive: false }).addTo(map);
      placeAt(longitude, latitude);
      status(t("located", { m: Math.round(m) }));
    },
    (err) => {
      $("locate-me").disabled = false;
      const key = { 1: "geo_denied", 2: "geo_unavailable", 3: "geo_timeout" }[err.code] || "geo_unavailable";
      status(t(key), "error");
    },
    { enableHighAccuracy: true, timeout: 20000, maximumAge: 30000 },
  );
}

// byteLength counts UTF-8 bytes, which the server's limits are in: a
// Burmese letter takes three.
const byteLength = (s) => new TextEncoder().encode(s).length;

// readForm returns the properties the form holds, or the errors by the
// field names the server uses.
function readForm() {
  const errors = {};
  const cat = form().querySelector("input[name=category]:checked");
  if (!cat) errors["properties.category"] = t("need_category");
  const title = $("f-title").value.trim();
  if (!title) errors["properties.title"] = t("need_title");
  else if (byteLength(title) > 200) errors["properties.title"] = t("too_long", { max: 200, chars: 66 });
  const description = $("f-description").value.trim();
  if (byteLength(description) > 8000) errors["properties.description"] = t("too_long", { max: 8000, chars: 2600 });
  const when = { kind: $("f-when").value || "always" };
  if (when.kind === "window") {
    when.from = $("f-when-from").value.slice(0, 5);
    when.to = $("f-when-to").value.slice(0, 5);
    if (!when.from || !when.to) errors["properties.when_dangerous"] = t("need_times");
  }
  const props = {
    category: cat ? cat.value : "",
    title,
    description,
    severity: Number($("f-severity").value),
    affected: [...form().querySelectorAll("input[name=affected]:checked")].map((i) => i.value),
    when_dangerous: when,
  };
  const observed = $("f-observed").value;
  if (observed) {
    const d = new Date(observed);
    if (!Number.isNaN(d.getTime())) props.observed_at = d.toISOString();
  }
  if (!geometry) errors.geometry = t("need_place");
  return { props, errors };
}

// fillForm puts a concern's properties into the form.
function fillForm(p) {
  for (const i of form().querySelectorAll("input[name=category]")) i.checked = i.value === p.category;
  for (const i of form().querySelectorAll("input[name=affected]")) i.checked = (p.affected || []).includes(i.value);
  $("f-title").value = p.title || "";
  $("f-description").value = p.description || "";
  $("f-severity").value = String(p.severity || 3);
  const w = p.when_dangerous || { kind: "always" };
  $("f-when").value = w.kind;
  show($("f-window"), w.kind === "window");
  if (w.kind === "window") {
    $("f-when-from").value = w.from;
    $("f-when-to").value = w.to;
  }
  $("f-observed").value = p.observed_at ? localInput(p.observed_at) : "";
}

// localInput formats a time for a datetime-local input, in the phone's zone.
function localInput(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

// Where the server's field errors show. A field such as
// properties.when_dangerous.from goes to the first entry it starts with.
const errorSlots = [
  ["properties.category", "f-category-error", null],
  ["properties.severity", "f-severity-error", "f-severity"],
  ["properties.affected", "f-affected-error", null],
  ["properties.when_dangerous", "f-when-error", "f-when"],
  ["properties.title", "f-title-error", "f-title"],
  ["properties.description", "f-description-error", "f-description"],
  ["properties.observed_at", "f-observed-error", "f-observed"],
  ["geometry", "f-geometry-error", null],
];

function clearErrors() {
  for (const [, slot, control] of errorSlots) {
    $(slot).textContent = "";
    if (control) $(control).removeAttribute("aria-invalid");
  }
  $("f-error").textContent = "";
}

function showErrors(fields, general) {
  clearErrors();
  let first = null;
  const rest = [];
  for (const [field, message] of Object.entries(fields)) {
    const hit = errorSlots.find(([prefix]) => field === prefix || field.startsWith(`${prefix}.`) || field.startsWith(`${prefix}[`));
    if (!hit) {
      rest.push(message);
      continue;
    }
    const [, slot, control] = hit;
    $(slot).textContent = $(slot).textContent ? `${$(slot).textContent} ${message}` : message;
    if (control) $(control).setAttribute("aria-invalid", "true");
    first = first || control || slot;
  }
  if (general && !Object.keys(fields).length) rest.push(general);
  $("f-error").textContent = rest.join(" ");
  const target = first ? $(first) : null;
  if (target && target.focus) {
    if (target.tagName === "P") target.closest("fieldset")?.querySelector("input")?.focus();
    else target.focus();
  }
}

function busy(on) {
  $("f-submit").disabled = on;
  if (on) status(t("sending"));
}

async function submit(ev) {
  ev.preventDefault();
  const { props, errors } = readForm();
  if (Object.keys(errors).length) {
    showErrors(errors);
    return;
  }
  clearErrors();
  if (editing) return saveEdit(props);
  clientId = clientId || uuid();
  const feature = { type: "Feature", id: clientId, geometry, properties: { ...props, anonymous: $("f-anonymous").checked } };
  keepPending(feature);
  busy(true);
  try {
    await call("POST", "/api/v1/concerns", { body: feature });
    dropPending();
    resetForm();
    status(t("sent"), "ok");
    emit("concerns-changed", { fresh: true });
  } catch (err) {
    failed(err);
  } finally {
    $("f-submit").disabled = false;
  }
}

function failed(err) {
  if (err instanceof ApiError && err.offline) {
    status(t(editing ? "network_error" : "offline_kept"), "error");
  } else if (err instanceof ApiError && err.status === 401) {
    status(t("signed_out_meanwhile"), "error");
    emit("signed-out");
  } else if (err instanceof ApiError) {
    status("");
    showErrors(err.fields, t("error_generic", { detail: err.message }));
  } else {
    status(t("error_generic", { detail: String(err) }), "error");
  }
}

// startEdit opens a concern in the form, fetched afresh for its version.
async function startEdit(feature) {
  stopTool();
  closePopup();
  let res;
  try {
    res = await call("GET", `/api/v1/concerns/${feature.id}`);
  } catch (err) {
    status(t("loading_failed", { detail: err.message }), "error");
    return;
  }
  openEdit(res.data, res.etag);
}

function openEdit(concern, etag) {
  resetForm();
  editing = { id: concern.id, version: versionOf(etag, concern), moved: false };
  fillForm(concern.properties);
  setGeometry(concern.geometry);
  editing.moved = false;
  $("concern-form-title").dataset.i18n = "edit_title";
  $("f-submit").dataset.i18n = "f_save";
  $("concern-form-title").textContent = t("edit_title");
  $("f-submit").textContent = t("f_save");
  show($("f-anonymous-row"), false);
  describeGeometry();
  form().scrollIntoView({ block: "start" });
  $("f-title").focus({ preventScroll: true });
}

function versionOf(etag, concern) {
  const v = Number(String(etag || "").replace(/^W\//, "").replace(/"/g, ""));
  return Number.isInteger(v) && v > 0 ? v : concern.properties.version;
}

async function saveEdit(props) {
  const body = { properties: props };
  if (editing.moved) body.geometry = geometry;
  busy(true);
  try {
    await call("PATCH", `/api/v1/concerns/${editing.id}`, { body, headers: { "If-Match": `"${editing.version}"` } });
    resetForm();
    status(t("saved"), "ok");
    emit("concerns-changed", { fresh: true });
  } catch (err) {
    if (err instanceof ApiError && err.status === 412) {
      const id = editing.id;
      try {
        const res = await call("GET", `/api/v1/concerns/${id}`);
        openEdit(res.data, res.etag);
      } catch {
        // Keep the form as it is; the message below still holds.
      }
      status(t("stale_edit"), "error");
    } else {
      failed(err);
    }
  } finally {
    $("f-submit").disabled = false;
  }
}

function resetForm() {
  form().reset();
  buildChoices();
  clearErrors();
  show($("f-window"), false);
  show($("f-anonymous-row"), true);
  show($("pending-box"), false);
  $("concern-form-title").dataset.i18n = "report_title";
  $("f-submit").dataset.i18n = "f_submit";
  $("concern-form-title").textContent = t("report_title");
  $("f-submit").textContent = t("f_submit");
  editing = null;
  clientId = null;
  if (preview) preview.remove();
  preview = null;
  if (accuracy) accuracy.remove();
  accuracy = null;
  geometry = null;
  show(form(), false);
}

// An unsent report is kept in localStorage under the user's id, so that a
// phone shared in a village never sends one person's report as another's.
function pendingKey() {
  return `concernmap.pending.${state.user ? state.user.id : ""}`;
}

function keepPending(feature) {
  try {
    localStorage.setItem(pendingKey(), JSON.stringify(feature));
  } catch {
    // A full or disabled storage only loses the copy, not the report.
  }
}

function loadPending() {
  try {
    const f = JSON.parse(localStorage.getItem(pendingKey()) || "null");
    return f && f.type === "Feature" && f.id && f.geometry && f.properties ? f : null;
  } catch {
    return null;
  }
}

function dropPending() {
  try {
    localStorage.removeItem(pendingKey());
  } catch {
    // Nothing to drop.
  }
  show($("pending-box"), false);
}
