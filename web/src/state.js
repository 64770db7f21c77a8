// What the whole app shares: the server's settings, who is signed in, the
// categories and the workflow table, and a small event bus.

// defaults stand in for GET /api/v1/config when a server does not serve it.
export const defaults = {
  basemap_url: "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
  basemap_attribution: "© OpenStreetMap contributors",
  public_map: false,
  k: 5,
  cluster_below_zoom: 11,
  bounds: null,
};

export const state = {
  config: { ...defaults },
  user: null,
  categories: [],
  workflow: null,
};

// The affected groups and danger times, in the API's order.
export const groups = ["women", "men", "girls", "boys", "older_people", "people_with_disabilities", "lgbti", "minorities"];
export const whenKinds = ["always", "day", "night", "dry_season", "rainy_season", "window"];

export function role() {
  return state.user ? state.user.role : "anonymous";
}

// The parts of the page each role works with; an admin has them all.
export const can = {
  report: () => ["cswg_member", "cswg_coordinator", "admin"].includes(role()),
  coordinate: () => ["cswg_coordinator", "admin"].includes(role()),
  answer: () => ["authority", "admin"].includes(role()),
  advocate: () => ["advocate", "admin"].includes(role()),
  plans: () => ["cswg_member", "cswg_coordinator", "admin"].includes(role()),
};

export function category(key) {
  return state.categories.find((c) => c.key === key);
}

export function categoryColor(key) {
  const c = category(key);
  return (c && c.color) || "#607d8b";
}

// movesFrom lists the statuses the signed-in role may move a concern to
// from status, with whether the move needs a note.
export function movesFrom(status) {
  const moves = (state.workflow && state.workflow.moves) || [];
  return moves.filter((m) => m.from === status && m.roles.includes(role()));
}

const handlers = {};

// on registers fn for an event: "concerns-changed" after any write that
// moves or changes a concern, "session" after sign-in or sign-out.
export function on(name, fn) {
  (handlers[name] = handlers[name] || []).push(fn);
}

export function emit(name, detail) {
  for (const fn of handlers[name] || []) fn(detail);
}
