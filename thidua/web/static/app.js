// thidua web app: progressive enhancement only (every page works without it).
// Served from the app ('self' in the Content-Security-Policy); no inline script anywhere.
// Never builds HTML from strings: it clones elements the server rendered (and escaped).
(function () {
  "use strict";

  var text = document.getElementById("article-text");
  var panel = document.getElementById("fact-panel");
  var facts = Array.prototype.slice.call(document.querySelectorAll("li.fact-item"));
  var current = -1;

  function clearActive() {
    document.querySelectorAll(".active").forEach(function (el) { el.classList.remove("active"); });
  }

  function focusFact(i) {
    if (!facts.length) { return; }
    current = (i + facts.length) % facts.length;
    clearActive();
    var li = facts[current];
    li.classList.add("active");
    li.focus();
    li.scrollIntoView({ block: "nearest" });
    var n = String(current);
    document.querySelectorAll("mark.fact").forEach(function (m) {
      if ((m.dataset.facts || "").split(" ").indexOf(n) >= 0) { m.classList.add("active"); }
    });
  }

  function showFacts(mark) {
    if (!panel) { return; }
    var ids = (mark.dataset.facts || "").split(" ").filter(Boolean);
    while (panel.firstChild) { panel.removeChild(panel.firstChild); }
    ids.forEach(function (id) {
      var li = document.getElementById("fact-" + id);
      if (!li) { return; }
      var copy = li.firstElementChild.cloneNode(true);
      var details = li.children[1] ? li.children[1].cloneNode(true) : null;
      panel.appendChild(copy);
      if (details) { panel.appendChild(details); }
    });
    panel.hidden = ids.length === 0;
    if (ids.length) { focusFact(parseInt(ids[0], 10)); }
  }

  if (text) {
    text.addEventListener("click", function (ev) {
      var mark = ev.target.closest("mark.fact");
      if (mark && !String(window.getSelection())) { showFacts(mark); }
    });
    text.addEventListener("mouseover", function (ev) {
      var mark = ev.target.closest("mark.fact");
      if (mark) { mark.title = "facts " + mark.dataset.facts; }
    });
    text.addEventListener("keydown", function (ev) {
      var mark = ev.target.closest("mark.fact");
      if (mark && ev.key === "Enter") { showFacts(mark); }
    });
    // selecting words fills the "add a fact" form with their offsets in the stored text
    text.addEventListener("mouseup", function () { selectionToForm(); });
  }

  // offset (in code points, as Python counts) of a point inside the article text
  function offsetOf(node, offset) {
    var el = node.nodeType === 3 ? node.parentElement : node;
    var seg = el && el.closest("[data-o]");
    if (!seg || !text.contains(seg)) { return null; }
    var before = node.nodeType === 3 ? node.data.slice(0, offset) : "";
    return parseInt(seg.dataset.o, 10) + Array.from(before).length;
  }

  function selectionToForm() {
    var sel = window.getSelection();
    var form = document.getElementById("add-form");
    if (!form || !sel || sel.rangeCount === 0 || sel.isCollapsed) { return; }
    var range = sel.getRangeAt(0);
    var a = offsetOf(range.startContainer, range.startOffset);
    var b = offsetOf(range.endContainer, range.endOffset);
    if (a === null || b === null || b <= a) { return; }
    var words = String(sel).trim();
    document.getElementById("ev-start").value = String(a);
    document.getElementById("ev-end").value = String(b);
    document.getElementById("add-value").value = words;
    document.getElementById("ev-text").textContent = "evidence: “" + String(sel) + "”";
    document.getElementById("add-fact").open = true;
  }

  function submitIn(li, cls) {
    var form = li && li.querySelector("form." + cls);
    if (form) { form.requestSubmit ? form.requestSubmit() : form.submit(); }
  }

  document.addEventListener("keydown", function (ev) {
    var tag = (ev.target.tagName || "").toLowerCase();
    if (ev.key === "Escape") {
      var help = document.getElementById("keys-help");
      if (help) { help.hidden = true; }
      if (panel) { panel.hidden = true; }
      if (tag === "input" || tag === "select" || tag === "textarea") { ev.target.blur(); }
      return;
    }
    if (tag === "input" || tag === "select" || tag === "textarea" || ev.ctrlKey || ev.metaKey || ev.altKey) {
      return;
    }
    var li = current >= 0 ? facts[current] : null;
    switch (ev.key) {
      case "?":
        var h = document.getElementById("keys-help");
        if (h) { h.hidden = !h.hidden; }
        break;
      case "/":
        var q = document.getElementById("q") || document.querySelector("input[type=search]");
        if (q) { ev.preventDefault(); q.focus(); }
        break;
      case "j": focusFact(current + 1); break;
      case "k": focusFact(current - 1); break;
      case "a": submitIn(li, "act-accept"); break;
      case "d": submitIn(li, "act-delete"); break;
      case "c":
        var det = li && li.querySelector("details.act-change");
        if (det) { ev.preventDefault(); det.open = true; var first = det.querySelector("input, select"); if (first) { first.focus(); } }
        break;
      case "v":
        var vf = document.getElementById("verify-form");
        if (vf) { vf.requestSubmit ? vf.requestSubmit() : vf.submit(); }
        break;
      case "n":
        var next = document.getElementById("next-record");
        if (next) { window.location.assign(next.getAttribute("href")); }
        break;
      default: return;
    }
  });
})();
