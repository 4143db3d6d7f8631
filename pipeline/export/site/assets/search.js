/* Search and filter the initiatives on initiatives/index.html, in the browser only.
   Every plan has a small search index, initiatives/<plan>/search-index.js, a script that hands
   its records to initiativeIndex(), with the licence and attribution they are published under
   (not shown here: the page's footer states them). Only the indexes a search needs are loaded:
   of every plan when all together hold at most data-load-up-to initiatives (an attribute of
   the form), else of the chosen plan, or of the chosen publisher's plans within that bound, so
   nothing a visitor downloads grows with the number of plans. Results are built with
   textContent (never markup from data), no request leaves the site, and it works from any web
   server and from file://. Without JavaScript, the plans' pages list every initiative. */
(function () {
  "use strict";

  var LIMIT = 500;                      // items shown at most; the count says how many match
  var form = document.getElementById("filters");
  var list = document.getElementById("results");
  var count = document.getElementById("count");
  var empty = document.getElementById("no-results");
  if (!form || !list || !count) { return; }

  var bound = parseInt(form.getAttribute("data-load-up-to"), 10) || 0;
  var query = document.getElementById("q");
  var names = ["publisher", "plan", "department", "method", "status"];
  var selects = {};
  names.forEach(function (name) { selects[name] = document.getElementById(name); });

  var plans = [];                       // {slug, publisher, count} in page order
  var planTitles = {};
  if (selects.plan) {
    Array.prototype.forEach.call(selects.plan.options, function (option) {
      if (!option.value) { return; }
      plans.push({ slug: option.value, publisher: option.getAttribute("data-publishers") || "",
                   count: parseInt(option.getAttribute("data-count"), 10) || 0 });
      planTitles[option.value] = option.textContent;
    });
  }
  var indexes = {};                     // plan slug -> its entries, once loaded
  var requested = {};
  var failed = {};                      // plan slug -> true when its index could not be loaded

  function normalise(text) {
    var value = String(text == null ? "" : text);
    if (value.normalize) { value = value.normalize("NFKC"); }
    return value.toLowerCase();
  }

  window.initiativeIndex = function (slug, records) {
    indexes[slug] = records.map(function (record) {
      return {
        record: record,
        plan: slug,
        text: normalise([record.id, record.title, record.summary, record.department,
                         record.division].join("\n"))
      };
    });
    apply();
  };

  function load(slug) {
    if (requested[slug]) { return; }
    requested[slug] = true;
    var script = document.createElement("script");
    script.onerror = function () { failed[slug] = true; apply(); };   // (not retried: no loop)
    script.onload = function () {       // run, but never handed its records (an error in it)
      if (!indexes[slug]) { script.onerror(); }
    };
    script.src = encodeURIComponent(slug) + "/search-index.js";
    document.head.appendChild(script);
  }

  function currentState() {
    var state = { q: query ? query.value : "" };
    names.forEach(function (name) { state[name] = selects[name] ? selects[name].value : ""; });
    return state;
  }

  // A publisher chosen offers its own plans and departments only (an option's data-publishers:
  // the keys of the publishers it belongs to, a code or publisher-<hex>): one of another publisher is
  // no longer chosen.
  function narrowToPublisher() {
    if (!selects.publisher) { return; }
    var publisher = selects.publisher.value;
    [selects.plan, selects.department].forEach(function (select) {
      if (!select) { return; }
      Array.prototype.forEach.call(select.options, function (option) {
        var owners = option.getAttribute("data-publishers");
        var other = Boolean(option.value && publisher && owners !== null &&
                            owners.split(" ").indexOf(publisher) < 0);
        option.hidden = other;
        option.disabled = other;
      });
      if (select.selectedIndex > 0 && select.options[select.selectedIndex].disabled) {
        select.value = "";
      }
    });
  }

  function plansFor(state) {
    var chosen = plans.filter(function (plan) {
      if (state.plan) { return plan.slug === state.plan; }
      return !state.publisher || plan.publisher === state.publisher;
    });
    var initiatives = chosen.reduce(function (sum, plan) { return sum + plan.count; }, 0);
    return state.plan || initiatives <= bound ? chosen : [];
  }

  function matches(entry, terms, state) {
    var record = entry.record;
    if (state.department && record.department !== state.department) { return false; }
    if (state.method && (record.methods || []).indexOf(state.method) < 0) { return false; }
    if (state.status && record.status !== state.status) { return false; }
    for (var i = 0; i < terms.length; i += 1) {
      if (entry.text.indexOf(terms[i]) < 0) { return false; }
    }
    return true;
  }

  function span(className, text) {
    var element = document.createElement("span");
    element.className = className;
    element.textContent = text;
    return element;
  }

  function item(entry, showPlan) {
    var record = entry.record;
    var li = document.createElement("li");
    li.setAttribute("data-id", record.id);
    li.setAttribute("data-plan", entry.plan);
    var link = document.createElement("a");
    link.href = encodeURIComponent(entry.plan) + "/" + encodeURIComponent(record.id) + ".html";
    link.appendChild(span("id", record.id));
    link.appendChild(document.createTextNode(" " + record.title));
    li.appendChild(link);
    var meta = document.createElement("p");
    meta.className = "meta";
    if (showPlan) { meta.appendChild(span("plan", planTitles[entry.plan] || entry.plan)); }
    if (record.department) {
      meta.appendChild(span("who", record.department + (record.division ? " " + record.division : "")));
    }
    if (record.methods && record.methods.length) { meta.appendChild(span("methods", record.methods.join("・"))); }
    var status = span("status", record.status);
    status.setAttribute("data-status", record.status);
    meta.appendChild(status);
    li.appendChild(meta);
    return li;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? grouped(values[key]) : match;
    });
  }

  function grouped(value) {             // a count as the pages print it: 32,544
    return typeof value === "number" ? String(value).replace(/\B(?=(\d{3})+$)/g, ",")
                                     : String(value);
  }

  function apply() {
    narrowToPublisher();
    var state = currentState();
    var wanted = plansFor(state);
    var waiting = false;
    var missing = [];                     // the titles of the plans whose index failed to load
    wanted.forEach(function (plan) {
      if (failed[plan.slug]) { missing.push(planTitles[plan.slug] || plan.slug); }
      else if (!indexes[plan.slug]) { waiting = true; load(plan.slug); }
    });
    var terms = normalise(state.q).split(/\s+/).filter(Boolean);
    var filtered = terms.length > 0 || state.department || state.method || state.status;
    var total = 0;
    var shown = [];
    wanted.forEach(function (plan) {
      (indexes[plan.slug] || []).forEach(function (entry) {
        total += 1;
        if (matches(entry, terms, state)) { shown.push(entry); }
      });
    });
    var fragment = document.createDocumentFragment();
    var showPlan = wanted.length > 1;
    shown.slice(0, LIMIT).forEach(function (entry) { fragment.appendChild(item(entry, showPlan)); });
    while (list.firstChild) { list.removeChild(list.firstChild); }
    list.appendChild(fragment);
    var template;
    if (!wanted.length) {
      template = count.getAttribute("data-template-choose");
    } else if (missing.length) {          // said, never counted as no initiatives
      template = count.getAttribute("data-template-failed");
    } else if (waiting) {                 // never a count of the indexes not loaded yet
      template = count.getAttribute("data-template-loading");
    } else if (shown.length > LIMIT) {
      template = count.getAttribute("data-template-more");
    } else {
      template = count.getAttribute(filtered ? "data-template-filtered" : "data-template-all");
    }
    count.textContent = fill(template || "{shown}", { total: total, shown: shown.length, limit: LIMIT,
                                                      plans: missing.join("、") });
    if (empty) { empty.hidden = waiting || missing.length > 0 || !wanted.length || shown.length !== 0; }
    rememberInAddress(state);
  }

  function rememberInAddress(state) {
    if (!window.history || !window.history.replaceState || !window.URLSearchParams) { return; }
    var params = new URLSearchParams();
    Object.keys(state).forEach(function (key) {
      if (state[key]) { params.set(key, state[key]); }
    });
    var search = params.toString();
    try {
      window.history.replaceState(null, "", search ? "?" + search : window.location.pathname);
    } catch (error) {
      /* some browsers refuse address changes on file:// pages; filtering still works */
    }
  }

  function restoreFromAddress() {
    if (!window.URLSearchParams) { return; }
    var params = new URLSearchParams(window.location.search);
    if (query && params.get("q")) { query.value = params.get("q"); }
    names.forEach(function (key) {
      var select = selects[key];
      var value = params.get(key);
      if (!select || !value) { return; }
      for (var i = 0; i < select.options.length; i += 1) {
        if (select.options[i].value === value) { select.value = value; }
      }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    apply();
  });
  form.addEventListener("reset", function () {
    window.setTimeout(apply, 0);
  });
  if (query) { query.addEventListener("input", apply); }
  names.forEach(function (key) {
    if (selects[key]) { selects[key].addEventListener("change", apply); }
  });

  restoreFromAddress();
  apply();
}());
