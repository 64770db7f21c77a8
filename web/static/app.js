// Lists the categories; free text is always set as text, never as HTML.
const list = document.getElementById("categories");
fetch("/api/v1/categories")
  .then((r) => r.json())
  .then(({ categories }) => {
    list.replaceChildren(
      ...categories.map((c) => {
        const li = document.createElement("li");
        const swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.background = c.color;
        li.append(swatch, `${c.name_en} / ${c.name_my}${c.sensitive ? " (sensitive)" : ""}`);
        return li;
      }),
    );
  })
  .catch(() => {
    list.replaceChildren(Object.assign(document.createElement("li"), { textContent: "Could not load categories." }));
  });
