// Small DOM helpers. Text always goes in as text nodes, never as HTML, so
// that what a villager or an officer typed can never run as markup.

// h makes an element: h("li", {class: "item", "data-id": id}, "text", child).
// Attributes starting with "on" are event listeners; true sets a boolean
// attribute, false and null leave it out.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === false || v == null) continue;
      if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
      else if (k === "class") el.className = v;
      else if (k === "value") el.value = v;
      else if (k === "checked") el.checked = v;
      else el.setAttribute(k, v === true ? "" : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// $ finds one element by id.
export const $ = (id) => document.getElementById(id);

// show sets whether an element is shown.
export function show(el, on) {
  el.hidden = !on;
}

// fill replaces an element's children.
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

// srOnly is text that only screen readers announce.
export const srOnly = (text) => h("span", { class: "sr-only" }, text);
