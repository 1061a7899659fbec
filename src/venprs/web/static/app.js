// VEN-PRS calculator page. The score is never computed here: every change is sent to
// POST /api/v1/score (the same core as the CLI) and the answer is shown.
"use strict";
(function () {
  document.documentElement.classList.add("js");
  var LABELS = {};  // group labels, from the model file (data-group-labels on the form)
  var pending = null;
  var factorLabels = {};
  var seq = 0;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function fmt(x) { return (Math.round(x * 100) / 100).toFixed(2); }
  // a published number as the model file writes it (7.0 stays "7.0", 18.43 stays "18.43")
  function num(x) { return typeof x === "number" && Number.isInteger(x) ? x.toFixed(1) : String(x); }
  function pct(x) { return Math.round(x * 100) + "%"; }

  function factorValues(form) {
    var body = {};
    var radios = form.querySelectorAll("input[type=radio]:checked");
    for (var i = 0; i < radios.length; i++) body[radios[i].name] = radios[i].value;
    return body;
  }

  var FACTOR_VALUES = ["present", "absent", "unknown"];

  // ---- permalink: the factors live in the URL fragment (after "#"), which browsers never send
  function fragmentOf(form) {
    var v = factorValues(form);
    return Object.keys(v).map(function (k) { return k + "=" + v[k]; }).join("&");
  }
  // A fragment naming any factor sets all seven: one it leaves out, or gives a value other than
  // present/absent/unknown, is unknown - never the value left on the page by the previous patient.
  function applyFragment(form, hash) {
    var text = (hash || "").replace(/^#/, "");
    if (text.indexOf("=") < 0) return false;
    var given = {};
    text.split("&").forEach(function (pair) {
      var kv = pair.split("=");
      try { given[decodeURIComponent(kv[0] || "")] = decodeURIComponent(kv[1] || ""); } catch (e) { /* bad % */ }
    });
    var names = [];
    form.querySelectorAll("input[type=radio]").forEach(function (r) {
      if (names.indexOf(r.name) < 0) names.push(r.name);
    });
    if (!names.some(function (n) { return Object.prototype.hasOwnProperty.call(given, n); })) return false;
    names.forEach(function (n) {
      var v = Object.prototype.hasOwnProperty.call(given, n) && FACTOR_VALUES.indexOf(given[n]) >= 0
        ? given[n] : "unknown";
      var radio = document.getElementById(n + "-" + v);
      if (radio && radio.form === form) radio.checked = true;
    });
    return true;
  }
  function keepFragment(form) {
    var frag = "#" + fragmentOf(form);
    if (location.hash !== frag) history.replaceState(null, "", frag);
    var link = document.getElementById("permalink");
    if (link) link.setAttribute("href", frag);
  }

  function update(form) {
    keepFragment(form);
    var my = ++seq;
    if (pending) pending.abort();
    pending = new AbortController();
    fetch("/api/v1/score", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(factorValues(form)),
      signal: pending.signal,
    }).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, data: data }; });
    }).then(function (res) {
      if (my !== seq) return;
      var err = document.getElementById("api-error");
      if (!res.ok) {
        err.textContent = (res.data.detail || []).map(function (d) { return d.msg; }).join("; ") || "Error";
        err.hidden = false;
        return;
      }
      err.hidden = true;
      render(res.data);
    }).catch(function (e) {
      if (e.name === "AbortError") return;
      var err = document.getElementById("api-error");
      err.textContent = "Could not reach the server: " + e.message;
      err.hidden = false;
    });
  }

  function render(data) {
    // one short sentence for screen readers (the cards below are not a live region)
    var live = document.getElementById("live");
    if (live) {
      live.textContent = ["os", "efs"].map(function (ep) {
        var r = data[ep];
        var sc = r.score !== null ? fmt(r.score) : fmt(r.score_range[0]) + " to " + fmt(r.score_range[1]);
        var g = r.group ? LABELS[r.group] + " risk" :
          "indeterminate: " + r.possible_groups.map(function (x) { return LABELS[x]; }).join(" or ");
        return ep.toUpperCase() + " " + g + ", score " + sc + ".";
      }).join(" ");
    }
    stampTime();
    Object.keys(data.inputs || {}).forEach(function (f) {
      var v = data.inputs[f];
      var b = document.querySelector("[data-input=" + f + "] strong");
      if (b) b.textContent = v === null ? "unknown" : v ? "present" : "absent";
    });
    ["os", "efs"].forEach(function (ep) {
      var r = data[ep];
      var card = document.getElementById("ep-" + ep);
      if (!r || !card) return;
      var badge = card.querySelector("[data-field=group]");
      badge.dataset.group = r.group || "indeterminate";
      badge.textContent = r.group ? LABELS[r.group] + " risk" : "Indeterminate";
      card.querySelector("[data-field=score]").textContent =
        r.score !== null ? fmt(r.score) : fmt(r.score_range[0]) + " to " + fmt(r.score_range[1]);
      var poss = card.querySelector("[data-field=possible]");
      poss.textContent = "";
      poss.hidden = r.determinate;
      if (!r.determinate) {
        poss.appendChild(document.createTextNode("Possible groups: "));
        r.possible_groups.forEach(function (g) {
          poss.appendChild(el("span", { "class": "chip", "data-group": g }, LABELS[g]));
          poss.appendChild(document.createTextNode(" "));
        });
      }
      var unk = card.querySelector("[data-field=unknowns]");
      unk.hidden = !r.unknown_factors.length;
      unk.textContent = "Unknown: " + r.unknown_factors.map(function (f) { return factorLabels[f] || f; }).join(", ");
      var sum = document.querySelector("[data-sum=" + ep + "]");
      if (sum) {
        sum.dataset.group = badge.dataset.group;
        sum.textContent = r.group ? LABELS[r.group] : "Indeterminate";
      }
      var sumScore = document.querySelector("[data-sum-score=" + ep + "]");
      if (sumScore) sumScore.textContent = card.querySelector("[data-field=score]").textContent;
      var scen = card.querySelector("[data-field=scenarios]");
      var text = r.scenarios && r.scenarios.text;
      scen.hidden = !text;
      scen.textContent = text || "";
      var pub = card.querySelector("[data-field=published]");
      pub.textContent = "";
      pub.appendChild(el("p", { "class": "pub-title" }, "In the paper's derivation cohort:"));
      var ul = el("ul");
      Object.keys(r.published_by_group).forEach(function (g) {
        var p = r.published_by_group[g];
        var li = el("li");
        li.appendChild(el("span", { "class": "chip", "data-group": g }, LABELS[g]));
        li.appendChild(document.createTextNode(" " + (p.n !== null ? "n = " + p.n + ", " : "") + "median " +
          ep.toUpperCase() + " " + num(p.median) + " " + p.unit + " (95% CI " + num(p.ci_low) + " to " +
          num(p.ci_high) + ")"));
        ul.appendChild(li);
      });
      pub.appendChild(ul);
      renderPredicted(card.querySelector("[data-field=predicted]"), r.predicted, ep);
    });
  }

  // Predicted survival (from the model's baseline survival, when the API returns it).
  // A value is a number, or {lo, hi} when a factor is unknown; a median may be null (not reached).
  function range(v, f) {
    if (v === null || v === undefined) return "not reached";
    if (typeof v === "object") return v.lo === v.hi ? range(v.lo, f) : range(v.lo, f) + " to " + range(v.hi, f);
    return f(v);
  }
  function medianText(v) {
    if (v && typeof v === "object" && typeof v.lo === "number" && typeof v.hi === "number" && v.lo !== v.hi) {
      return v.lo.toFixed(1) + " to " + v.hi.toFixed(1) + " months";
    }
    return range(v, function (x) { return x.toFixed(1) + " months"; });
  }

  var CAVEAT = "Predicted survival, venprs reconstruction: not published by the authors and not validated. " +
    "Use the paper's group medians above.";

  function renderPredicted(box, pred, ep) {
    box.textContent = "";
    if (!pred) { box.hidden = true; return; }
    box.hidden = false;
    if (pred.withheld) {
      box.appendChild(el("p", { "class": "pred-caveat" },
        "Predicted " + ep.toUpperCase() + " survival not shown: " + pred.withheld + "."));
      return;
    }
    box.appendChild(el("p", { "class": "pred-caveat" }, CAVEAT));
    var parts = [];
    [6, 12, 24].forEach(function (h) {
      var v = pred["survival_" + h + "m"];
      if (v !== undefined) parts.push(h + "-month " + ep.toUpperCase() + " " + range(v, pct));
    });
    if ("median_months" in pred) parts.push("median " + medianText(pred.median_months));
    var isRange = Array.isArray(pred.curve_best);
    box.appendChild(el("p", { "class": "pred-title" },
      isRange ? "Range over the unknown factors:" : "For this score:"));
    box.appendChild(el("p", { "class": "pred-text" }, parts.join(", ")));
    var lines = [];
    if (Array.isArray(pred.curve)) lines.push({ points: pred.curve, cls: "curve" });
    if (isRange) lines.push({ points: pred.curve_best, cls: "curve best" });
    if (Array.isArray(pred.curve_worst)) lines.push({ points: pred.curve_worst, cls: "curve worst" });
    if (lines.length && lines[0].points.length > 1) {
      box.appendChild(curve(lines, ep));
      if (lines.length > 1) {
        box.appendChild(el("p", { "class": "pred-note" },
          "Solid line: best case (lowest possible score); dashed: worst case (highest possible score)."));
      }
    }
    if (pred.baseline) box.appendChild(el("p", { "class": "pred-note" }, "Baseline survival: " + pred.baseline + "."));
  }

  function curve(lines, ep) {
    var NS = "http://www.w3.org/2000/svg";
    var W = 320, H = 170, L = 34, R = 8, T = 8, B = 26;
    var first = lines[0].points;
    var tmax = first[first.length - 1][0] || 1;
    function x(t) { return L + (W - L - R) * t / tmax; }
    function y(s) { return T + (H - T - B) * (1 - s); }
    var svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "Predicted " + ep.toUpperCase() + " curve" + (lines.length > 1 ? "s (best and worst case)" : "") +
      " over " + Math.round(tmax) + " months");
    function line(x1, y1, x2, y2) {
      var l = document.createElementNS(NS, "line");
      l.setAttribute("x1", x1); l.setAttribute("y1", y1); l.setAttribute("x2", x2); l.setAttribute("y2", y2);
      l.setAttribute("class", "axis"); l.setAttribute("stroke", "#555e68");
      svg.appendChild(l);
    }
    function text(tx, ty, s, anchor) {
      var t = document.createElementNS(NS, "text");
      t.setAttribute("x", tx); t.setAttribute("y", ty); t.setAttribute("text-anchor", anchor || "middle");
      t.textContent = s; svg.appendChild(t);
      return t;
    }
    line(L, T, L, H - B); line(L, H - B, W - R, H - B);
    [0, 0.5, 1].forEach(function (s) { text(L - 4, y(s) + 3, pct(s), "end"); });
    var step = tmax > 36 ? 12 : 6;
    for (var t = 0; t <= tmax + 1e-9; t += step) text(x(t), H - B + 12, String(t));
    text((L + W - R) / 2, H - 2, "months");
    lines.forEach(function (ln) {
      var d = ln.points.map(function (p, i) {
        return (i ? "L" : "M") + x(p[0]).toFixed(1) + " " + y(p[1]).toFixed(1);
      }).join(" ");
      var path = document.createElementNS(NS, "path");
      path.setAttribute("d", d); path.setAttribute("fill", "none");
      path.setAttribute("class", ln.cls);
      path.setAttribute("stroke", "#1d3557"); path.setAttribute("stroke-width", "2");
      if (ln.cls.indexOf("worst") >= 0) path.setAttribute("stroke-dasharray", "5 4");
      svg.appendChild(path);
    });
    return svg;
  }

  function setupTabs() {
    var list = document.querySelector(".tabs");
    if (!list) return;
    var tabs = Array.prototype.slice.call(list.querySelectorAll("[role=tab]"));
    function select(tab, focus) {
      tabs.forEach(function (t) {
        var on = t === tab;
        t.setAttribute("aria-selected", on ? "true" : "false");
        t.tabIndex = on ? 0 : -1;
        document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
      });
      if (focus) tab.focus();
    }
    tabs.forEach(function (t, i) {
      t.addEventListener("click", function () { select(t, false); });
      t.addEventListener("keydown", function (e) {
        var j = e.key === "ArrowRight" ? i + 1 : e.key === "ArrowLeft" ? i - 1 : e.key === "Home" ? 0 :
          e.key === "End" ? tabs.length - 1 : null;
        if (j === null) return;
        e.preventDefault();
        select(tabs[(j + tabs.length) % tabs.length], true);
      });
    });
    list.hidden = false;
    select(tabs[0], false);
  }

  function setupBatch() {
    var form = document.getElementById("batch-form");
    if (!form) return;
    var status = document.getElementById("batch-status");
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var input = document.getElementById("batch-file");
      if (!input.files.length) { status.textContent = "Choose a CSV file first."; return; }
      status.className = ""; status.textContent = "Scoring ...";
      fetch(form.action, { method: "POST", body: new FormData(form) }).then(function (r) {
        if (r.ok) {
          return r.blob().then(function (blob) {
            var name = input.files[0].name.replace(/\.[^.]*$/, "") + "-scored.csv";
            var a = el("a", { href: URL.createObjectURL(blob), download: name }, "Download " + name);
            status.textContent = "Scored. ";
            status.appendChild(a);
            a.click();
            return blob.text().then(showPreview);
          });
        }
        return r.json().then(function (data) {
          status.className = "error";
          status.textContent = (data.detail || []).map(function (d) { return d.msg; }).join("; ") || ("HTTP " + r.status);
        });
      }).catch(function (err) {
        status.className = "error"; status.textContent = "Could not reach the server: " + err.message;
      });
    });
  }

  // ---- batch preview: the first rows and the counts of the scored CSV the server returned
  function parseCsv(text) {
    var rows = [], row = [], field = "", q = false;
    for (var i = 0; i < text.length; i++) {
      var c = text[i];
      if (q) {
        if (c === '"') { if (text[i + 1] === '"') { field += '"'; i++; } else q = false; }
        else field += c;
      } else if (c === '"') q = true;
      else if (c === ",") { row.push(field); field = ""; }
      else if (c === "\n" || c === "\r") {
        if (c === "\r" && text[i + 1] === "\n") i++;
        row.push(field); rows.push(row); row = []; field = "";
      } else field += c;
    }
    if (field !== "" || row.length) { row.push(field); rows.push(row); }
    return rows;
  }

  var PREVIEW_ROWS = 5;
  function showPreview(text) {
    var rows = parseCsv(text.replace(/^\ufeff/, ""));
    var head = rows.shift() || [];
    var box = document.getElementById("batch-result");
    if (!box) return;
    var counts = document.getElementById("batch-counts");
    var parts = [rows.length + " row" + (rows.length === 1 ? "" : "s") + " scored"];
    ["os", "efs"].forEach(function (ep) {
      var gi = head.indexOf(ep + "_group");
      var n = { favorable: 0, intermediate: 0, adverse: 0, indeterminate: 0 };
      rows.forEach(function (r) { var g = r[gi] || "indeterminate"; n[g] = (n[g] || 0) + 1; });
      parts.push(ep.toUpperCase() + ": " + Object.keys(n).map(function (g) {
        return n[g] + " " + (LABELS[g] || g).toLowerCase();
      }).join(", "));
    });
    counts.textContent = parts.join(". ") + ".";
    var firstOut = head.indexOf("os_score");
    var cols = [];
    for (var j = 0; j < Math.min(firstOut, 3); j++) cols.push(j);
    ["os_score_min", "os_score_max", "os_group", "efs_score_min", "efs_score_max", "efs_group"].forEach(function (c) {
      if (head.indexOf(c) >= 0) cols.push(head.indexOf(c));
    });
    var wrap = document.getElementById("batch-preview");
    var old = wrap.querySelector("table");
    if (old) wrap.removeChild(old);
    var table = el("table");
    var tr = el("tr");
    cols.forEach(function (j) { tr.appendChild(el("th", { scope: "col" }, head[j])); });
    table.appendChild(el("thead")).appendChild(tr);
    var body = el("tbody");
    rows.slice(0, PREVIEW_ROWS).forEach(function (r) {
      var row = el("tr");
      cols.forEach(function (j) { row.appendChild(el("td", null, r[j] === "" ? "(unknown)" : r[j])); });
      body.appendChild(row);
    });
    table.appendChild(body);
    wrap.appendChild(table);
    document.getElementById("batch-preview-title").textContent =
      "First " + Math.min(PREVIEW_ROWS, rows.length) + " of " + rows.length + " rows (first columns and groups):";
    box.hidden = false;
  }

  function stampTime() {
    var t = document.getElementById("print-time");
    if (!t) return;
    var d = new Date();
    function two(x) { return (x < 10 ? "0" : "") + x; }
    var off = -d.getTimezoneOffset();
    var tz = "UTC" + (off >= 0 ? "+" : "-") + two(Math.floor(Math.abs(off) / 60)) + ":" + two(Math.abs(off) % 60);
    t.textContent = "printed " + d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) + " " +
      two(d.getHours()) + ":" + two(d.getMinutes()) + " (" + tz + ")";
  }

  // in-page links (skip link, summary bar) move focus without replacing the permalink fragment
  function keepLinksInPage() {
    document.querySelectorAll("a.skip, #summary a").forEach(function (a) {
      a.addEventListener("click", function (e) {
        var target = document.getElementById(a.getAttribute("href").slice(1));
        if (!target) return;
        e.preventDefault();
        if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
        target.scrollIntoView({ block: "start" });
        target.focus({ preventScroll: true });
      });
    });
  }

  function setupReset(form) {
    var reset = document.getElementById("reset");
    var status = document.getElementById("reset-status");
    reset.hidden = false;
    reset.addEventListener("click", function () {
      var before = factorValues(form);
      form.querySelectorAll("input[value=unknown]").forEach(function (r) { r.checked = true; });
      update(form);
      status.textContent = "All factors set to unknown. ";
      var undo = el("button", { type: "button", id: "undo" }, "Undo");
      undo.addEventListener("click", function () {
        Object.keys(before).forEach(function (k) {
          var r = document.getElementById(k + "-" + before[k]);
          if (r) r.checked = true;
        });
        status.hidden = true;
        status.textContent = "";
        update(form);
        reset.focus();
      });
      status.appendChild(undo);
      status.hidden = false;
      undo.focus();
    });
    form.addEventListener("change", function () { status.hidden = true; status.textContent = ""; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("factors");
    if (form) {
      try { factorLabels = JSON.parse(form.dataset.labels || "{}"); } catch (e) { factorLabels = {}; }
      try { LABELS = JSON.parse(form.dataset.groupLabels || "{}"); } catch (e) { LABELS = {}; }
      form.addEventListener("change", function (e) {
        if (e.target && e.target.type === "radio") update(form);
      });
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        update(form);
        document.getElementById("results").focus();  // Calculate: to the result, never clearing
      });
      setupReset(form);
      var pr = document.getElementById("print");
      pr.hidden = false;
      pr.addEventListener("click", function () { stampTime(); window.print(); });
      window.addEventListener("beforeprint", stampTime);
      document.querySelectorAll(".js-only").forEach(function (x) { x.hidden = false; });
      // a permalink (#extramedullary=present&...) sets the factors; else the browser's remembered choices
      applyFragment(form, location.hash);
      window.addEventListener("hashchange", function () {
        if (!applyFragment(form, location.hash)) return;
        var label = document.getElementById("patient-label");  // another patient's link: not this label
        if (label) label.value = "";
        update(form);
      });
      keepLinksInPage();
      update(form);
    }
    setupTabs();
    setupBatch();
  });
})();
