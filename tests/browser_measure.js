// Served by tests/test_browser.py inside a wrapper page that loads each book page of ``pages`` (``|``-separated
// paths) once, in turn, in an iframe (Chromium's headless window cannot be narrower than 500 px; an iframe
// can), and measures it in each layout of ``configs`` in turn (``width:mode:open``, comma-separated, e.g.
// 1400:screen:0): the iframe is resized to the layout's width, the toggles (details) opened or closed, and in
// that layout every table and figure of the page is measured against the text column, the data banner's
// contrast in light and dark mode, and every word or number of a table cell that a line break splits.
// mode=print applies the page's print rules first (every "@media print" rule and print stylesheet
// switched on, screen-only ones off): print-media emulation, which cannot be undone, so print layouts
// are measured last (the next page gets a fresh iframe). With dom=1, the page's DOM after its scripts ran
// (and MathJax typeset it) is kept too, before any layout touches it. One Chromium run thus serves several
// pages (issue 27: a Chromium start-up per page was much of the tests' time). The result is one JSON
// object, page -> {layout -> measurements, "dom": its HTML}.
(function () {
  var params = new URLSearchParams(location.search);
  var out = document.getElementById("result");

  function emulatePrint(doc) {
    Array.prototype.forEach.call(doc.querySelectorAll("link[rel=stylesheet][media], style[media]"), function (el) {
      var m = (el.getAttribute("media") || "").toLowerCase();
      if (m.indexOf("print") >= 0) el.setAttribute("media", "all");
      else if (m.indexOf("screen") >= 0) el.setAttribute("media", "not all");
    });
    Array.prototype.forEach.call(doc.styleSheets, function (sheet) {
      var rules;
      try { rules = sheet.cssRules; } catch (e) { return; }
      Array.prototype.forEach.call(rules || [], function (rule) {
        if (rule.media && rule.type === CSSRule.MEDIA_RULE) {
          var m = rule.media.mediaText.toLowerCase();
          if (/\bprint\b/.test(m) && !/not\s+print/.test(m)) rule.media.mediaText = "all";
          else if (/^(only\s+)?screen\b/.test(m)) rule.media.mediaText = "not all";
        }
      });
    });
  }

  function luminance(rgb) {
    var c = rgb.map(function (v) {
      v = v / 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }

  function rgba(s) {
    var m = s.match(/[\d.]+/g).map(Number);
    return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1];
  }

  function background(win, el) {
    // the first opaque background colour from the element up (white if none)
    for (; el; el = el.parentElement) {
      var c = rgba(win.getComputedStyle(el).backgroundColor);
      if (c[3] > 0.99) return c.slice(0, 3);
    }
    return [255, 255, 255];
  }

  function contrast(win, el) {
    var fg = luminance(rgba(win.getComputedStyle(el).color).slice(0, 3));
    var bg = luminance(background(win, el));
    return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
  }

  function shown(win, el) {
    // an element whose own text the reader sees (not a hover-only permalink, not hidden)
    var own = Array.prototype.some.call(el.childNodes, function (n) { return n.nodeType === 3 && n.textContent.trim(); });
    for (var e = el; e; e = e.parentElement) {
      var cs = win.getComputedStyle(e);
      if (cs.display === "none" || cs.visibility === "hidden" || parseFloat(cs.opacity) === 0) return false;
    }
    return own;
  }

  function lowestContrast(win, doc, theme, selector) {
    // the lowest contrast of any element matching selector, or inside one, in the theme given
    doc.documentElement.setAttribute("data-theme", theme);
    doc.documentElement.setAttribute("data-mode", theme);
    var parts = [];
    Array.prototype.forEach.call(doc.querySelectorAll(selector), function (el) {
      parts = parts.concat([el], Array.prototype.slice.call(el.querySelectorAll("*")));
    });
    parts = parts.filter(function (el) { return shown(win, el); });
    if (!parts.length) return null;
    return Math.min.apply(null, parts.map(function (el) { return contrast(win, el); }));
  }

  function bannerContrast(win, doc, theme) {
    return lowestContrast(win, doc, theme, ".aichain-data-banner");
  }

  // A token of a table cell: a run of non-space, non-CJK characters (Chinese breaks between any two
  // characters by design). It is broken when it spans two lines anywhere but after a dash or a slash
  // (a break that normal wrapping allows); a number never breaks, whatever precedes the break.
  var TOKEN = /[^\s\u200b\u2e80-\u9fff\u3000-\u303f\uff00-\uffef\uac00-\ud7af]{2,}/g;

  function lineTops(range) {
    var tops = [];
    Array.prototype.forEach.call(range.getClientRects(), function (r) {
      if (r.width < 0.5 || r.height < 0.5) return;
      if (!tops.some(function (t) { return Math.abs(t - r.top) < 3; })) tops.push(r.top);
    });
    return tops;
  }

  function breakIndex(doc, node, start, text) {
    // the index in text of the first character on a new line
    var range = doc.createRange(), first = null;
    for (var i = 0; i < text.length; i++) {
      range.setStart(node, start + i);
      range.setEnd(node, start + i + 1);
      var tops = lineTops(range);
      if (!tops.length) continue;
      if (first === null) first = tops[0];
      else if (Math.abs(tops[0] - first) >= 3) return i;
    }
    return -1;
  }

  function brokenTokens(doc, article) {
    var out = [], range = doc.createRange();
    Array.prototype.forEach.call(article.querySelectorAll("table th, table td"), function (cell) {
      var walker = doc.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (var node = walker.nextNode(); node; node = walker.nextNode()) {
        var text = node.textContent, m;
        TOKEN.lastIndex = 0;
        while ((m = TOKEN.exec(text)) !== null) {
          range.setStart(node, m.index);
          range.setEnd(node, m.index + m[0].length);
          if (lineTops(range).length < 2) continue;
          var at = breakIndex(doc, node, m.index, m[0]);
          if (at <= 0) continue;
          var before = m[0].charAt(at - 1), after = m[0].charAt(at);
          var inNumber = /[0-9]/.test(after) && /[0-9.,]/.test(before);
          if (!inNumber && /[-\u2010-\u2014\/]/.test(before)) continue; // a break after a dash or slash
          var id = cell.closest("[id]");
          out.push({ token: m[0], at: at, id: id ? id.id : "", number: /[0-9]/.test(m[0]) });
          if (out.length >= 40) return;
        }
      }
    });
    return out;
  }

  function measure(frame, mode) {
    var win = frame.contentWindow, doc = frame.contentDocument;
    var result = { width: win.innerWidth, items: [], banner: {}, captions: {}, glued: [] };
    // the page's rendered height, as a reader scrolls it (before print emulation changes the layout)
    result.height = Math.max(doc.documentElement.scrollHeight, doc.body.scrollHeight);
    if (mode === "print") emulatePrint(doc);
    else {
      result.banner.light = bannerContrast(win, doc, "light");
      result.banner.dark = bannerContrast(win, doc, "dark");
      result.captions = {
        light: lowestContrast(win, doc, "light", "article figure figcaption"),
        dark: lowestContrast(win, doc, "dark", "article figure figcaption"),
      };
      doc.documentElement.setAttribute("data-theme", "light");
      doc.documentElement.setAttribute("data-mode", "light");
    }
    var article = doc.querySelector("article.bd-article") || doc.querySelector("main");
    var box = article.getBoundingClientRect();
    var cs = win.getComputedStyle(article);
    var left = box.left + parseFloat(cs.paddingLeft), right = box.right - parseFloat(cs.paddingRight);
    result.column = right - left;
    var items = article.querySelectorAll("table, figure img, .aichain-wide");
    Array.prototype.forEach.call(items, function (el) {
      var r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) return; // not displayed (e.g. in a closed toggle)
      // a table in a scroll box: the paper's layout (.aichain-wide) or a numbered table on screen
      // (.aichain-table-body scrolls there; in print it does not)
      var box = mode === "print" ? ".aichain-wide" : ".aichain-wide, .aichain-table-body";
      // (on phones a numbered table is a column of cards, display: block, which does not scroll)
      var cards = el.tagName === "TABLE" && win.getComputedStyle(el).display === "block" && el.closest(".aichain-table");
      var inWide = el.tagName === "TABLE" && el.closest(box) !== null && !cards;
      var sticky = null;
      if (inWide) {
        var first = el.querySelector("tbody tr > :first-child");
        sticky = first ? win.getComputedStyle(first).position === "sticky" : false;
      }
      var id = el.closest("[id]");
      result.items.push({
        kind: el.tagName === "IMG" ? "figure" : el.tagName === "TABLE" ? "table" : "scrollbox",
        id: id ? id.id : "",
        left: r.left - left,
        overflow: r.right - right,
        width: r.width,
        inScrollBox: inWide,
        sticky: sticky,
      });
    });
    Array.prototype.forEach.call(article.querySelectorAll("p .pasted-text, li .pasted-text"), function (el) {
      result.glued.push([win.getComputedStyle(el).fontWeight, win.getComputedStyle(el.parentElement).fontWeight]);
    });
    result.broken = brokenTokens(doc, article);
    return result;
  }

  function layouts() {
    // the layouts asked for, print ones last (print emulation is not undone)
    var all = (params.get("configs") || "1400:screen:0").split(",").map(function (c) {
      var p = c.split(":");
      return { key: c, width: parseInt(p[0], 10), mode: p[1] || "screen", open: p[2] === "1" };
    });
    return all.filter(function (c) { return c.mode !== "print"; }).concat(
      all.filter(function (c) { return c.mode === "print"; }));
  }

  function inLayout(frame, layout, done) {
    // resize the iframe, open or close the toggles, let the page lay itself out again, then measure
    var doc = frame.contentDocument;
    frame.style.width = layout.width + "px";
    frame.getBoundingClientRect(); // the parent's layout first, so the iframe's viewport is the new width
    var details = Array.prototype.slice.call(doc.querySelectorAll("details"));
    var was = details.map(function (d) { return d.open; });
    if (layout.open) details.forEach(function (d) { d.open = true; });
    setTimeout(function () {
      var m = measure(frame, layout.mode);
      details.forEach(function (d, k) { d.open = was[k]; });
      done(m);
    }, 300);
  }

  function typeset(win, done) {
    // wait for MathJax's first typesetting when the page has MathJax (a condition, not a fixed sleep);
    // a page whose MathJax never settles is measured after 5 s all the same
    var mj = win.MathJax, promise = mj && mj.startup && mj.startup.promise, called = false;
    function once() { if (!called) { called = true; done(); } }
    if (promise && promise.then) { promise.then(once, once); setTimeout(once, 5000); } else once();
  }

  function measurePage(frame, done) {
    // the page has loaded in frame: let its scripts settle, keep its DOM if asked, then measure each layout
    setTimeout(function () {
      typeset(frame.contentWindow, function () {
        var todo = layouts(), results = {};
        if (params.get("dom") === "1") results.dom = frame.contentDocument.documentElement.outerHTML;
        (function next() {
          if (!todo.length) return done(results);
          var layout = todo.shift();
          inLayout(frame, layout, function (m) {
            results[layout.key] = m;
            next();
          });
        })();
      });
    }, 1500);
  }

  var pages = (params.get("pages") || params.get("page")).split("|"), found = {};
  (function nextPage(k) {
    if (k >= pages.length) {
      out.textContent = JSON.stringify(found);
      return;
    }
    // a fresh iframe per page, its src set before it is inserted (no about:blank load event first)
    var old = document.getElementById("page"), frame = old.cloneNode(false);
    frame.style.width = layouts()[0].width + "px";
    frame.addEventListener("load", function () {
      measurePage(frame, function (results) {
        found[pages[k]] = results;
        nextPage(k + 1);
      });
    });
    frame.src = pages[k];
    old.parentNode.replaceChild(frame, old);
  })(0);
})();
