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

// Search results: the snippet under each hit is the page's text around the query; Sphinx takes it
// from the page's HTML, where an equation is still its LaTeX source (MathJax typesets it only when
// the page is shown). Leave formulas out of the snippets, so that they carry no LaTeX.
(function () {
  function withoutMath(search) {
    if (!search || typeof search.htmlToText !== "function" || search.htmlToText.aichainNoMath) return;
    var original = search.htmlToText;
    var patched = function (htmlString, anchor) {
      var doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc.querySelectorAll(".math, mjx-container, .MathJax, script[type^='math/tex']").forEach(function (el) {
        el.replaceWith(doc.createTextNode(" [formula] "));
      });
      return original(doc.documentElement.outerHTML, anchor);
    };
    patched.aichainNoMath = true;
    search.htmlToText = patched;
  }
  // searchtools.js declares `const Search` (a global binding, not a property of window)
  function current() {
    return typeof Search !== "undefined" ? Search : null; // eslint-disable-line no-undef
  }
  withoutMath(current());
  document.addEventListener("DOMContentLoaded", function () {
    withoutMath(current());
  });
})();

// Long identifiers in table cells (aichain_utils.models.fit_two_way_fe, inter_numerator=a_theta,
// closest_world-87948231) get a break opportunity (a zero-width space) after each "." "_" "=" that
// follows a letter, so that a narrow column or the printed page can wrap them between their parts;
// numbers are never touched (no break is added next to a digit); formulas are left alone.
document.addEventListener("DOMContentLoaded", function () {
  var ID = /[A-Za-z][A-Za-z0-9]*(?:[._=][A-Za-z0-9"]+){1,}/g;
  document.querySelectorAll(".aichain-table table").forEach(function (table) {
    var nodes = [];
    table.querySelectorAll("td, th").forEach(function (cell) {
      if (cell.querySelector(".math, mjx-container, script, style, pre")) return; // formulas stay as they are
      var walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (var n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n);
    });
    nodes.forEach(function (node) {
      var text = node.textContent;
      if (text.length < 12 || !/[._=]/.test(text)) return;
      node.textContent = text.replace(ID, function (word) {
        if (word.length < 12) return word;
        return word.replace(/([A-Za-z"])([._=])(?=[A-Za-z"])/g, "$1$2\u200b");
      });
    });
  });
});
