// An authority's inbox: the open requests addressed to them, as a list and
// as areas on the map. Answering takes two taps: the answer, then Confirm
// in a small form under it (a reason to decline, a date to schedule).
import L from "./leaflet.js";
import { ApiError, call, get, query } from "./api.js";
import { area } from "./areas.js";
import { $, fill, h, show } from "./dom.js";
import { formatDate, nameOf, onLangChange, t } from "./i18n.js";
import { map } from "./map.js";
import { emit, state } from "./state.js";

// Where a request may go next from each open status.
const nextAnswers = {
  sent: ["acknowledged", "scheduled", "done", "declined"],
  acknowledged: ["scheduled", "done", "declined"],
  scheduled: ["done", "declined"],
};

let inbox = null; // the last GET /api/v1/requests?inbox=1
let names = {}; // pcode → area feature, as they arrive
let outlines = null;
let timer = null;
let active = false;

export function initInbox() {
  $("inbox-area").addEventListener("change", load);
  $("inbox-status").addEventListener("change", load);
  onLangChange(() => {
    if (!active) return;
    buildFilters();
    render();
  });
  document.addEventListener("visibilitychange", () => {
    if (active && document.visibilityState === "visible") load();
  });
}

export async function enableInbox() {
  active = true;
  names = {};
  buildFilters();
  await load();
  // A new request can arrive at any time; five minutes is often enough for
  // a due date counted in days, and light on a phone's data.
  clearInterval(timer);
  timer = setInterval(() => document.visibilityState === "visible" && load(), 5 * 60 * 1000);
}

export function disableInbox() {
  active = false;
  clearInterval(timer);
  inbox = null;
  if (outlines) outlines.remove();
  outlines = null;
  fill($("inbox-list"));
  $("inbox-overdue").textContent = "";
}

function buildFilters() {
  const areaSel = $("inbox-area");
  const statusSel = $("inbox-status");
  const a = areaSel.value;
  const s = statusSel.value;
  const pcodes = new Set([...(state.user.scope || []), ...Object.keys(names)]);
  fill(areaSel, h("option", { value: "" }, t("all")), [...pcodes].sort().map((p) => h("option", { value: p }, names[p] ? nameOf(names[p].properties) : p)));
  fill(statusSel, h("option", { value: "" }, t("all")), Object.keys(nextAnswers).map((st) => h("option", { value: st }, t(`req_${st}`))));
  areaSel.value = a;
  statusSel.value = s;
}

async function load() {
  const params = { inbox: 1, area: $("inbox-area").value, status: $("inbox-status").value };
  $("inbox-message").textContent = inbox ? "" : t("loading");
  try {
    inbox = await get(`/api/v1/requests${query(params)}`);
    $("inbox-message").textContent = "";
  } catch (err) {
    $("inbox-message").textContent = t("loading_failed", { detail: err.message });
    return;
  }
  render();
  await loadAreas();
}

// loadAreas fetches the boundary of every area in the inbox once, names
// them in the list and outlines them on the map, overdue ones in red.
async function loadAreas() {
  const requests = (inbox && inbox.requests) || [];
  const pcodes = [...new Set(requests.map((r) => r.area))].filter((p) => !names[p]);
  await Promise.all(
    pcodes.map(async (p) => {
      try {
        names[p] = await area(p);
      } catch {
        // Shown by pcode.
      }
    }),
  );
  if (!active) return;
  if (pcodes.length) {
    buildFilters();
    render();
  }
  if (outlines) outlines.remove();
  const overdue = new Set(requests.filter((r) => isOverdue(r)).map((r) => r.area));
  const features = [...new Set(requests.map((r) => r.area))].map((p) => names[p]).filter((f) => f && f.geometry);
  outlines = L.geoJSON({ type: "FeatureCollection", features }, {
    interactive: false,
    style: (f) => ({ color: overdue.has(f.properties.pcode) ? "#c62828" : "#1565c0", weight: 2.5, fillOpacity: 0.06 }),
  }).addTo(map);
}

function isOverdue(r) {
  const today = (inbox && inbox.today) || new Date().toISOString().slice(0, 10);
  return r.status !== "done" && r.status !== "declined" && r.due < today;
}

function render() {
  if (!inbox) return;
  const requests = inbox.requests || [];
  const overdue = Number(inbox.overdue) || 0;
  const counter = $("inbox-overdue");
  counter.textContent = overdue ? t("overdue_n", { n: overdue }) : "";
  counter.dataset.count = String(overdue);
  show(counter, overdue > 0);
  const list = $("inbox-list");
  if (!requests.length) {
    fill(list, h("li", { class: "empty" }, t("inbox_empty")));
    return;
  }
  fill(list, requests.map(item));
}

function item(r) {
  const late = isOverdue(r);
  const responses = r.responses || [];
  const last = responses[responses.length - 1];
  const areaName = names[r.area] ? nameOf(names[r.area].properties) : r.area;
  const panel = h("div", { class: "answer-panel" });
  const li = h(
    "li",
    { class: `item${late ? " overdue" : ""}`, "data-request-id": r.id, "data-status": r.status },
    h("p", { class: "concern-head" },
      h("span", { class: `badge req-${r.status}` }, t(`req_${r.status}`)),
      late ? h("span", { class: "badge danger" }, t("overdue")) : null,
      " ",
      h("span", { class: late ? "late" : "muted" }, t("due_on", { date: formatDate(r.due) })),
    ),
    h("p", { class: "ask" }, r.ask),
    h("p", { class: "muted" }, areaName, " · ", t("concerns_n", { n: (r.concerns || []).length })),
    last
      ? h("p", { class: "muted" }, t("last_answer", { status: t(`req_${last.status}`), date: formatDate(last.at) }), last.message ? ` – ${last.message}` : "")
      : null,
    h("div", { class: "actions" },
      (nextAnswers[r.status] || []).map((a) =>
        h("button", { type: "button", "data-answer": a, onclick: () => answerForm(r, a, panel) }, t(`answer_${a}`)),
      ),
      h("button", { type: "button", class: "link", onclick: () => zoomTo(r.area) }, t("show_on_map")),
    ),
    panel,
  );
  return li;
}

let seq = 0;

// answerForm is the second tap: an optional message (required to
// decline), a date to schedule, and Confirm.
function answerForm(r, answer, panel) {
  const n = ++seq;
  const message = h("textarea", { id: `answer-message-${n}`, rows: 2, maxlength: 2000, "data-message": "", required: answer === "declined" });
  const date = answer === "scheduled" ? h("input", { id: `answer-date-${n}`, type: "date", required: true, "data-scheduled-for": "", min: (inbox && inbox.today) || "" }) : null;
  const err = h("p", { class: "field-error", role: "alert" });
  const form = h(
    "form",
    { class: "inline-form", "data-answer-form": answer },
    date ? [h("label", { for: date.id }, t("scheduled_for")), date] : null,
    h("label", { for: message.id }, t(answer === "declined" ? "message_decline" : "message_optional")),
    message,
    err,
    h("button", { type: "submit", class: "primary", "data-confirm": "" }, t("confirm_answer", { answer: t(`answer_${answer}`) })),
    " ",
    h("button", { type: "button", onclick: () => fill(panel) }, t("f_cancel")),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const text = message.value.trim();
    if (answer === "declined" && !text) {
      err.textContent = t("need_reason");
      message.focus();
      return;
    }
    if (date && !date.value) {
      err.textContent = t("need_date");
      date.focus();
      return;
    }
    const body = { status: answer, message: text };
    if (date) body.scheduled_for = date.value;
    const button = form.querySelector("[data-confirm]");
    button.disabled = true;
    try {
      await call("POST", `/api/v1/requests/${r.id}/responses`, { body, headers: { "If-Match": `"${r.version}"` } });
      $("inbox-message").textContent = t("answered", { answer: t(`answer_${answer}`) });
      emit("concerns-changed", { fresh: true });
      await load();
    } catch (e) {
      button.disabled = false;
      if (e instanceof ApiError && e.offline) err.textContent = t("network_error");
      else if (e instanceof ApiError && e.status === 412) {
        err.textContent = t("error_generic", { detail: e.message });
        load();
      } else err.textContent = Object.values((e && e.fields) || {}).join(" ") || t("error_generic", { detail: e.message });
    }
  });
  fill(panel, form);
  (date || message).focus();
}

async function zoomTo(pcode) {
  try {
    const f = names[pcode] || (names[pcode] = await area(pcode));
    if (f && f.geometry) {
      map.fitBounds(L.geoJSON(f.geometry).getBounds(), { maxZoom: 15 });
      $("map").scrollIntoView({ block: "nearest" });
    }
  } catch (err) {
    $("inbox-message").textContent = t("loading_failed", { detail: err.message });
  }
}
