// Category icons: a white line drawing on a disc of the category's colour,
// the same colour the map draws it in. Drawn as SVG, so that they show on
// phones and computers without an emoji font.
const NS = "http://www.w3.org/2000/svg";

// Paths on a 24-unit grid; a leading "*" fills the shape instead of
// stroking it.
const paths = {
  mine: "M12 7a5 5 0 1 0 0 10a5 5 0 1 0 0-10M12 2v3M12 19v3M2 12h3M19 12h3M5 5l2 2M17 17l2 2M19 5l-2 2M7 17l-2 2",
  road: "M9 3L5 21M15 3l4 18M12 4v3M12 10v3M12 16v3",
  bridge: "M2 15h20M4 15v5M20 15v5M4 15Q12 4 20 15M8 15v-4M12 15V8M16 15v-4",
  moon: "*M19 15A8 8 0 1 1 9 4a6.5 6.5 0 0 0 10 11z",
  shield: "M12 3l7 3v5c0 5-3 8-7 10c-4-2-7-5-7-10V6z",
  water: "M3 8c3-3 6 3 9 0s6 3 9 0M3 13c3-3 6 3 9 0s6 3 9 0M3 18c3-3 6 3 9 0s6 3 9 0",
  dot: "*M12 8a4 4 0 1 0 0 8a4 4 0 1 0 0-8",
  home: "M3 11l9-7l9 7M6 9v11h12V9M10 20v-6h4v6",
  bottle: "M10 2h4M10 2v5l-2 3v12h8V10l-2-3V2M8 14h8",
};
const fallback = "M12 4v10M12 18v2";

// categoryIcon returns the icon of category c, hidden from screen readers
// since its name always stands beside it.
export function categoryIcon(c) {
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "cat-icon");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const disc = document.createElementNS(NS, "circle");
  for (const [k, v] of [["cx", 12], ["cy", 12], ["r", 12], ["fill", (c && c.color) || "#607d8b"]]) disc.setAttribute(k, v);
  let d = (c && paths[c.icon]) || fallback;
  const filled = d.startsWith("*");
  if (filled) d = d.slice(1);
  const path = document.createElementNS(NS, "path");
  const attrs = filled
    ? [["d", d], ["fill", "#fff"]]
    : [["d", d], ["fill", "none"], ["stroke", "#fff"], ["stroke-width", "2.2"], ["stroke-linecap", "round"], ["stroke-linejoin", "round"]];
  for (const [k, v] of attrs) path.setAttribute(k, v);
  path.setAttribute("transform", "translate(4.2 4.2) scale(0.65)");
  svg.append(disc, path);
  return svg;
}
