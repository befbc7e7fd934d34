// Label every cell of the book's numbered tables with its column heading (data-label), so that on
// phones each row can be shown as a card ("column: value") instead of a table wider than the screen.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".aichain-table table").forEach(function (table) {
    var heads = [];
    var headRow = table.querySelector("thead tr:last-child");
    if (!headRow) return;
    headRow.querySelectorAll("th").forEach(function (th) {
      var span = parseInt(th.getAttribute("colspan") || "1", 10);
      for (var i = 0; i < span; i++) heads.push(th.textContent.trim());
    });
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      var k = 0;
      tr.querySelectorAll("th, td").forEach(function (cell) {
        if (!cell.hasAttribute("data-label") && heads[k]) cell.setAttribute("data-label", heads[k]);
        k += parseInt(cell.getAttribute("colspan") || "1", 10);
      });
    });
  });
});
