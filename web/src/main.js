// concernmap's web app: starts the map, signs in, and shows each role its
// part of the one page.
import "./app.css";
import { ApiError, call, get, send, setCSRF } from "./api.js";
import { enableCommunity, disableCommunity, initCommunity } from "./community.js";
import { popupContent } from "./concern.js";
import { $, show } from "./dom.js";
import { currentLang, initialLang, onLangChange, setLang, t } from "./i18n.js";
import { disableInbox, enableInbox, initInbox } from "./inbox.js";
import { choropleth, drawn, renderLegend, setBreaks } from "./layers.js";
import { createMap, fitDefault, loadTileJSON, map, refresh, repaint, tilesLoaded, view, viewKey } from "./map.js";
import { disableReport, enableReport, initReport, placeAt, shapeDone } from "./report.js";
import { can, defaults, emit, on, state } from "./state.js";

let advocate = null; // the advocate's module, loaded when first needed
let resolveReady;
const ready = new Promise((r) => (resolveReady = r));

// window.concernmapDebug is the browser tests' hook: which concern ids the
// tiles drew, the Leaflet map, a promise that resolves once the app has
// started and its first tiles are drawn, and the same paths a tap or a
// finished Geoman line take.
window.concernmapDebug = {
  drawnConcernIds: () => [...drawn],
  get map() {
    return map;
  },
  ready,
  tilesLoaded: () => tilesLoaded(),
  placeAt: (lon, lat) => placeAt(lon, lat),
  drawLine: (coords) => shapeDone({ type: "LineString", coordinates: coords }),
};

async function loadConfig() {
  try {
    return { ...defaults, ...(await get("/api/v1/config")) };
  } catch {
    // A server without /api/v1/config yet, or offline: the defaults work.
    return { ...defaults };
  }
}

async function loadSession() {
  try {
    return await get("/api/v1/session");
  } catch {
    return null; // 401: not signed in
  }
}

async function loadCategories() {
  try {
    const data = await get("/api/v1/categories");
    return (data && data.categories) || [];
  } catch {
    return [];
  }
}

async function boot() {
  setLang(initialLang(), false);
  const [config, session, categories] = await Promise.all([loadConfig(), loadSession(), loadCategories()]);
  state.config = config;
  state.categories = categories;
  show($("boot"), false);
  show($("app"), true);
  createMap($("map"), popupContent);
  initReport();
  initCommunity();
  initInbox();
  wire();
  on("concerns-changed", () => refresh(["concerns", "areas"], { fresh: true }));
  on("signed-out", async () => {
    await applySession(null);
    $("signin-error").textContent = t("signed_out_meanwhile");
  });
  await applySession(session);
  await tilesLoaded();
  resolveReady();
}

function wire() {
  $("lang-toggle").addEventListener("click", () => setLang(currentLang() === "my" ? "en" : "my"));
  onLangChange(langChanged);
  langChanged();
  $("signin-form").addEventListener("submit", signIn);
  $("signout").addEventListener("click", signOut);
}

function langChanged() {
  // The toggle names the other language, in that language.
  $("lang-toggle").firstElementChild.lang = currentLang() === "my" ? "en" : "my";
  showWho();
  if (!state.user) publicNote();
  if (!$("legend-box").hidden && !can.advocate()) renderLegend($("legend"), { concerns: false, hotspots: false });
}

function showWho() {
  const u = state.user;
  show($("who"), !!u);
  show($("signout"), !!u);
  if (u) $("who").textContent = t("signed_in_as", { name: u.name || u.username, role: t(`role_${u.role}`) });
}

function publicNote() {
  $("public-note").textContent = t(state.config.public_map ? "public_map_note" : "no_public_map");
}

async function signIn(ev) {
  ev.preventDefault();
  const user = $("signin-username");
  const pass = $("signin-password");
  for (const id of ["signin-username-error", "signin-password-error", "signin-error"]) $(id).textContent = "";
  user.removeAttribute("aria-invalid");
  pass.removeAttribute("aria-invalid");
  const missing = [];
  if (!user.value.trim()) missing.push([user, "signin-username-error", "need_username"]);
  if (!pass.value) missing.push([pass, "signin-password-error", "need_password"]);
  if (missing.length) {
    for (const [el, slot, key] of missing) {
      $(slot).textContent = t(key);
      el.setAttribute("aria-invalid", "true");
    }
    missing[0][0].focus();
    return;
  }
  const button = $("signin-submit");
  button.disabled = true;
  button.textContent = t("signing_in");
  try {
    const session = await send("POST", "/api/v1/session", { username: user.value.trim(), password: pass.value });
    pass.value = "";
    if (session.user && session.user.language) setLang(session.user.language);
    await applySession(session);
  } catch (err) {
    if (err instanceof ApiError && err.fields.username) $("signin-username-error").textContent = err.fields.username;
    if (err instanceof ApiError && err.fields.password) $("signin-password-error").textContent = err.fields.password;
    $("signin-error").textContent =
      err instanceof ApiError && err.offline ? t("network_error") : err instanceof ApiError && err.status === 401 ? t("signin_failed") : t("error_generic", { detail: err.message });
    pass.focus();
  } finally {
    button.disabled = false;
    button.textContent = t("sign_in");
  }
}

async function signOut() {
  try {
    await call("DELETE", "/api/v1/session");
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) {
      $("who").textContent = t("error_generic", { detail: err.message });
      return;
    }
  }
  await applySession(null);
  $("signin-username").focus();
}

// applySession shows the page as the signed-in role sees it, or as a
// visitor does.
async function applySession(session) {
  const user = session ? session.user : null;
  const publicMap = !user && state.config.public_map;
  setCSRF(session ? session.csrf_token : "");
  // What the views need is fetched before any of them shows, so that a
  // tap right after sign-in already finds the status moves.
  const [workflow] = await Promise.all([
    user ? get("/api/v1/workflow").catch(() => null) : null,
    user || publicMap ? loadTileJSON() : null,
  ]);
  state.user = user;
  state.workflow = workflow;
  drawn.clear();
  disableReport();
  disableCommunity();
  disableInbox();
  if (advocate) advocate.disableAdvocate();
  document.body.classList.toggle("no-map", !user && !publicMap);
  show($("signin-panel"), !user);
  show($("report-panel"), can.report());
  show($("community-panel"), can.report());
  show($("inbox-panel"), can.answer());
  show($("advocate-panel"), can.advocate());
  show($("legend-box"), can.advocate() || publicMap);
  showWho();
  publicNote();
  map.invalidateSize();
  map.closePopup();
  fitDefault();
  const fitted = viewKey();

  view.concerns = !!user;
  view.areas = !!user || publicMap;
  view.hotspots = false;
  view.filters = {};
  choropleth.metric = can.advocate() || publicMap ? "count" : "outline";

  if (can.advocate()) {
    try {
      advocate = advocate || (await import("./advocate.js"));
      await advocate.enableAdvocate();
    } catch (err) {
      refresh();
      $("advocate-status").textContent = t("loading_failed", { detail: err.message });
    }
  } else {
    refresh();
  }
  if (publicMap) publicBreaks();
  if (can.report()) {
    enableReport();
    await enableCommunity(fitted);
  }
  if (can.answer()) await enableInbox();
  emit("session", user);
}

// publicBreaks sets the public map's classes from the tract counts.
async function publicBreaks() {
  renderLegend($("legend"), { concerns: false, hotspots: false });
  try {
    const data = await get("/api/v1/stats?level=village_tract");
    setBreaks("count", ((data && data.areas) || []).map((a) => a.total));
    repaint("areas");
    renderLegend($("legend"), { concerns: false, hotspots: false });
  } catch {
    // The default classes stay.
  }
}

boot().catch((err) => {
  show($("boot"), true);
  $("boot").textContent = t("error_generic", { detail: err && err.message });
  resolveReady();
});
