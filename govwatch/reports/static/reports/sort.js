// Sortable figures: a click on a column's heading orders the units by it (largest first, again for
// smallest first). Each unit is a <tbody> (its 含下级 row and its own row), moved as one; the
// parent's own row and the total stay where they are. "—" (no denominator) sorts last.
function cellValue(group, index) {
  const cell = group.rows[0].cells[index];
  const text = (cell ? cell.textContent : "").replace(/[,%\s]/g, "");
  const value = parseFloat(text);
  return Number.isNaN(value) ? null : value;
}

function sortBy(table, header, index) {
  const descending = header.getAttribute("aria-sort") !== "descending";
  table.querySelectorAll("thead th").forEach((th) => th.removeAttribute("aria-sort"));
  header.setAttribute("aria-sort", descending ? "descending" : "ascending");
  const groups = Array.from(table.tBodies).filter((b) => b.classList.contains("unit-group"));
  groups.sort((a, b) => {
    const x = index === 0 ? a.rows[0].cells[0].textContent : cellValue(a, index);
    const y = index === 0 ? b.rows[0].cells[0].textContent : cellValue(b, index);
    if (x === null || y === null) {
      return (x === null) - (y === null);
    }
    const order = index === 0 ? String(x).localeCompare(String(y), "zh-Hans-CN") : x - y;
    return descending ? -order : order;
  });
  const anchor = table.tFoot;
  groups.forEach((g) => table.insertBefore(g, anchor));
}

document.querySelectorAll("table.sortable").forEach((table) => {
  table.querySelectorAll("thead th").forEach((header, index) => {
    header.classList.add("sortable-col");
    header.tabIndex = 0;
    header.title = "点击排序";
    header.addEventListener("click", () => sortBy(table, header, index));
    header.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        sortBy(table, header, index);
      }
    });
  });
});
