/* Sortable tables (fundsite): the column headers of a table.sortable become buttons that sort
   its rows by the cells' data-value (numbers as numbers, empty last). Without JavaScript the
   table stays in its default order and the CSV beside it holds the same rows. */
(() => {
  "use strict";
  for (const table of document.querySelectorAll("table.sortable")) {
    const body = table.tBodies[0];
    const heads = table.tHead ? Array.from(table.tHead.rows[0].cells) : [];
    heads.forEach((th, column) => {
      if (!th.dataset.sort) return;
      const button = document.createElement("button");
      button.type = "button";
      while (th.firstChild) button.append(th.firstChild);
      th.append(button);
      button.addEventListener("click", () => {
        const down = th.getAttribute("aria-sort") === "ascending";
        heads.forEach((h) => h.removeAttribute("aria-sort"));
        th.setAttribute("aria-sort", down ? "descending" : "ascending");
        const numeric = th.dataset.sort === "num";
        const key = (row) => {
          const text = row.cells[column].dataset.value ?? row.cells[column].textContent;
          return numeric ? (text === "" ? null : Number(text)) : text;
        };
        const rows = Array.from(body.rows);
        rows.sort((a, b) => {
          const x = key(a), y = key(b);
          if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
          const order = numeric ? x - y : String(x).localeCompare(String(y), "th");
          return down ? -order : order;
        });
        body.append(...rows);
      });
    });
  }
})();
