// A concern as the popup and the area list show it, with the actions the
// signed-in role has: edit, status moves, history.
import { ApiError, call, get } from "./api.js";
import { fill, h } from "./dom.js";
import { formatDate, nameOf, t } from "./i18n.js";
import { categoryIcon } from "./icons.js";
import { can, category, emit, movesFrom, role, state } from "./state.js";

// categoryLabel is the icon and name of a category key.
export function categoryLabel(key) {
  const c = category(key);
  return h("span", { class: "cat" }, categoryIcon(c), c ? nameOf(c) : key);
}

export function statusBadge(status) {
  return h("span", { class: `badge status-${status}` }, t(`status_${status}`));
}

export function whenText(w) {
  if (!w || !w.kind) return "";
  if (w.kind === "window") return t("when_window_text", { from: w.from, to: w.to });
  return t(`when_${w.kind}`);
}

// canEdit says whether to offer Edit: a member edits their own report
// while it is reported; coordinators and admins edit within their scope,
// which the server checks.
export function canEdit(p) {
  if (can.coordinate()) return true;
  return role() === "cswg_member" && state.user && p.reporter === state.user.id && p.status === "reported";
}

// popupContent shows the concerns near a tap: the first in full, the
// others as buttons that bring theirs up.
export function popupContent(latlng, features) {
  const box = h("div", { class: "popup" });
  const showOne = (i) => {
    const others = features.length > 1
      ? h(
          "div",
          { class: "popup-others" },
          h("p", { class: "muted" }, t("nearby_count", { n: features.length })),
          features.map((f, j) =>
            h("button", { type: "button", class: "link", "aria-pressed": String(i === j), onclick: () => showOne(j) }, f.properties.title),
          ),
        )
      : null;
    fill(box, others, concernCard(features[i], { popup: true }));
  };
  showOne(0);
  return box;
}

// concernCard renders one concern. In a popup its description carries the
// id popup-description, which the browser tests look for. extra holds more
// buttons for its action bar, such as the list's Show on map.
export function concernCard(feature, { popup = false, extra = [] } = {}) {
  const p = feature.properties;
  const card = h("article", { class: "concern", "data-concern-id": feature.id });
  const render = () => {
    const meta = [
      t("severity_n", { n: p.severity }),
      whenText(p.when_dangerous),
      p.observed_at ? t("seen_on", { date: formatDate(p.observed_at) }) : "",
    ].filter(Boolean);
    fill(
      card,
      h("p", { class: "concern-head" }, categoryLabel(p.category), " ", statusBadge(p.status)),
      h(popup ? "h3" : "h4", { class: "concern-title" }, p.title),
      h("p", { class: "muted" }, meta.join(" · ")),
      p.affected && p.affected.length
        ? h("p", { class: "muted" }, t("affected_list", { list: p.affected.map((g) => t(`group_${g}`)).join(", ") }))
        : null,
      p.description ? h("p", { class: "concern-description", id: popup ? "popup-description" : null }, p.description) : null,
      actions(feature, render, extra),
    );
  };
  render();
  // Lists leave the reporter out, so whether a member may edit a
  // reported concern takes its own GET; a popup shows one at a time.
  if (popup && role() === "cswg_member" && p.status === "reported" && !("reporter" in p)) {
    get(`/api/v1/concerns/${feature.id}`)
      .then((full) => {
        if (!full || !full.properties) return;
        p.reporter = full.properties.reporter ?? null;
        p.version = full.properties.version;
        if (canEdit(p)) render();
      })
      .catch(() => {});
  }
  return card;
}

function actions(feature, rerender, extra) {
  const p = feature.properties;
  const bar = h("div", { class: "actions" });
  const panel = h("div", { class: "action-panel" });
  if (canEdit(p)) {
    bar.append(h("button", { type: "button", "data-edit": "", onclick: () => emit("edit", feature) }, t("edit")));
  }
  for (const m of movesFrom(p.status)) {
    bar.append(
      h("button", { type: "button", "data-move": m.to, onclick: () => moveForm(feature, m, panel, rerender) }, t("move_to", { status: t(`status_${m.to}`) })),
    );
  }
  bar.append(h("button", { type: "button", class: "link", onclick: () => history(feature, panel) }, t("history")), ...extra);
  return h("div", null, bar, panel);
}

let seq = 0;

function moveForm(feature, move, panel, rerender) {
  const p = feature.properties;
  const id = `move-note-${++seq}`;
  const note = h("textarea", { id, rows: 2, maxlength: 2000, required: move.needs_note });
  const err = h("p", { class: "field-error", role: "alert" });
  const form = h(
    "form",
    { class: "inline-form" },
    h("label", { for: id }, t(move.needs_note ? "note_required" : "note_optional")),
    note,
    err,
    h("button", { type: "submit", class: "primary", "data-confirm": "" }, t("confirm")),
    " ",
    h("button", { type: "button", onclick: () => fill(panel) }, t("f_cancel")),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (move.needs_note && !note.value.trim()) {
      err.textContent = t("note_required");
      note.focus();
      return;
    }
    try {
      const res = await call("POST", `/api/v1/concerns/${feature.id}/status`, {
        body: { status: move.to, note: note.value.trim() },
        headers: p.version ? { "If-Match": `"${p.version}"` } : {},
      });
      Object.assign(p, res.data.properties);
      rerender();
      emit("concerns-changed");
    } catch (e) {
      err.textContent = e instanceof ApiError && e.offline ? t("network_error") : t("error_generic", { detail: e.message });
    }
  });
  fill(panel, form);
  note.focus();
}

async function history(feature, panel) {
  fill(panel, h("p", { class: "muted" }, t("loading")));
  try {
    const data = await get(`/api/v1/concerns/${feature.id}/history`);
    const moves = (data && data.moves) || [];
    fill(
      panel,
      moves.length
        ? h(
            "ol",
            { class: "history" },
            moves.map((m) =>
              h(
                "li",
                null,
                t("history_item", { date: formatDate(m.at), from: m.from ? t(`status_${m.from}`) : "–", to: t(`status_${m.to}`) }),
                m.note ? h("span", { class: "muted" }, ` ${m.note}`) : null,
              ),
            ),
          )
        : h("p", { class: "muted" }, t("none_yet")),
    );
  } catch (e) {
    fill(panel, h("p", { class: "field-error" }, t("loading_failed", { detail: e.message })));
  }
}
