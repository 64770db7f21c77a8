// The CSWG's lists: the concerns of its area and its action plans.
import { get, query } from "./api.js";
import { area } from "./areas.js";
import { concernCard, popupContent } from "./concern.js";
import { $, fill, h } from "./dom.js";
import { formatDate, nameOf, onLangChange, t } from "./i18n.js";
import { fitIfUnmoved, geometryBounds, map, openPopup } from "./map.js";
import { can, on, state } from "./state.js";

let concerns = null; // the FeatureCollection last loaded
let plans = null; // {action_plans, today}
let areaFeature = null;
let active = false;

export function initCommunity() {
  on("concerns-changed", () => active && loadConcerns());
  onLangChange(() => {
    if (!active) return;
    renderHeading();
    renderConcerns();
    renderPlans();
  });
}

// enableCommunity loads the lists of the user's first scope area, and
// brings the map to it unless the map moved from the view key names.
export async function enableCommunity(key) {
  active = true;
  areaFeature = null;
  concerns = null;
  plans = null;
  const pcode = (state.user.scope || [])[0];
  if (pcode) {
    try {
      areaFeature = await area(pcode);
      if (areaFeature && areaFeature.geometry) fitIfUnmoved(key, geometryBounds(areaFeature.geometry), { maxZoom: 14 });
    } catch {
      // The list still loads by pcode; only the name and the zoom are lost.
    }
  }
  renderHeading();
  await Promise.all([loadConcerns(), loadPlans()]);
}

export function disableCommunity() {
  active = false;
  fill($("area-concerns"));
  fill($("plans-list"));
}

function renderHeading() {
  const pcode = (state.user && state.user.scope && state.user.scope[0]) || "";
  const name = areaFeature ? nameOf(areaFeature.properties) : pcode;
  $("area-heading").textContent = pcode ? t("area_concerns", { area: name }) : t("area_concerns_view");
}

async function loadConcerns() {
  const pcode = (state.user.scope || [])[0];
  const params = { limit: 100 };
  if (pcode) params.area = pcode;
  else params.bbox = map.getBounds().toBBoxString();
  $("area-status").textContent = t("loading");
  try {
    concerns = await get(`/api/v1/concerns${query(params)}`);
    $("area-status").textContent = "";
  } catch (err) {
    $("area-status").textContent = t("loading_failed", { detail: err.message });
  }
  renderConcerns();
}

function renderConcerns() {
  const list = $("area-concerns");
  const features = (concerns && concerns.features) || [];
  if (!features.length) {
    fill(list, concerns ? h("li", { class: "empty" }, t("none_yet")) : null);
    return;
  }
  fill(
    list,
    features.map((f) =>
      h(
        "li",
        { class: "item", "data-concern-id": f.id },
        concernCard(f, { extra: [h("button", { type: "button", class: "link", onclick: () => showOnMap(f) }, t("show_on_map"))] }),
      ),
    ),
  );
}

// showOnMap brings a concern into view and opens its popup.
export function showOnMap(f) {
  const b = geometryBounds(f.geometry);
  if (f.geometry.type === "Point") map.setView(b.getCenter(), Math.max(map.getZoom(), 16));
  else map.fitBounds(b, { maxZoom: 17 });
  openPopup(b.getCenter(), popupContent(b.getCenter(), [f]));
  $("map").scrollIntoView({ block: "nearest" });
}

async function loadPlans() {
  if (!can.plans()) return;
  try {
    plans = await get("/api/v1/action-plans");
  } catch (err) {
    fill($("plans-list"), h("li", { class: "empty" }, t("loading_failed", { detail: err.message })));
    return;
  }
  renderPlans();
}

function renderPlans() {
  const list = $("plans-list");
  const items = (plans && plans.action_plans) || [];
  if (!plans) return;
  if (!items.length) {
    fill(list, h("li", { class: "empty" }, t("none_yet")));
    return;
  }
  const today = plans.today || new Date().toISOString().slice(0, 10);
  fill(
    list,
    items.map((p) => {
      const due = !!p.next_review && p.next_review <= today;
      const tasks = p.tasks || [];
      return h(
        "li",
        { class: `item${due ? " due" : ""}`, "data-plan-id": p.id, "data-review-due": due ? "true" : "false" },
        h("details", null,
          h("summary", null,
            h("span", { class: "plan-title" }, p.title),
            due ? h("span", { class: "badge warn" }, t("review_due")) : null,
          ),
          h("p", { class: "muted" },
            p.next_review ? t("next_review", { date: formatDate(p.next_review) }) : t("no_review"),
            " · ",
            t("tasks_done", { done: tasks.filter((x) => x.done).length, n: tasks.length }),
          ),
          section("plan_problem", p.problem ? h("p", null, p.problem) : null),
          section("plan_steps", (p.steps || []).length ? h("ol", null, p.steps.map((s) => h("li", null, s))) : null),
          section(
            "plan_tasks",
            tasks.length
              ? h("ul", { class: "tasks" }, tasks.map((x) => h("li", { class: x.done ? "done" : "" }, x.done ? "✓ " : "○ ", t("task_due", { title: x.title, date: formatDate(x.due) }))))
              : null,
          ),
          section(
            "plan_objectives",
            (p.objectives || []).length
              ? h("ul", null, p.objectives.map((o) =>
                  h("li", null, o.text,
                    (o.indicators || []).length
                      ? h("ul", null, o.indicators.map((i) => h("li", { class: "muted" }, t("indicator", { ...i }))))
                      : null,
                  ),
                ))
              : null,
          ),
        ),
      );
    }),
  );
}

function section(key, body) {
  return body ? h("div", { class: "plan-section" }, h("h4", null, t(key)), body) : null;
}
