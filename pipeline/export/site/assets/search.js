/* Search and filter the initiatives of initiatives/index.html, in the browser only.
   Reads the records embedded in <script type="application/json" id="initiative-data">, keeps in
   the list only the server-rendered items that match (it never builds markup from data, so
   nothing in the data can become HTML), and makes no network
   request, so it works from any web server and from file://. Without JavaScript the page shows
   every initiative. */
(function () {
  "use strict";

  var dataElement = document.getElementById("initiative-data");
  var form = document.getElementById("filters");
  var list = document.getElementById("results");
  var count = document.getElementById("count");
  var empty = document.getElementById("no-results");
  if (!dataElement || !form || !list || !count) { return; }

  var records;
  try {
    records = JSON.parse(dataElement.textContent);
  } catch (error) {
    return;
  }

  var query = document.getElementById("q");
  var selects = {
    department: document.getElementById("department"),
    method: document.getElementById("method"),
    status: document.getElementById("status")
  };

  function normalise(text) {
    var value = String(text == null ? "" : text);
    if (value.normalize) { value = value.normalize("NFKC"); }
    return value.toLowerCase();
  }

  var items = {};
  Array.prototype.forEach.call(list.querySelectorAll("li[data-id]"), function (item) {
    items[item.getAttribute("data-id")] = item;
  });

  var entries = records.map(function (record) {
    return {
      record: record,
      item: items[record.id],
      text: normalise([record.id, record.title, record.summary, record.department,
                       record.division].join("\n"))
    };
  });

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  function matches(entry, terms, department, method, status) {
    var record = entry.record;
    if (department && record.department !== department) { return false; }
    if (method && (record.methods || []).indexOf(method) < 0) { return false; }
    if (status && record.status !== status) { return false; }
    for (var i = 0; i < terms.length; i += 1) {
      if (entry.text.indexOf(terms[i]) < 0) { return false; }
    }
    return true;
  }

  function currentState() {
    return {
      q: query ? query.value : "",
      department: selects.department ? selects.department.value : "",
      method: selects.method ? selects.method.value : "",
      status: selects.status ? selects.status.value : ""
    };
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

  function apply() {
    var state = currentState();
    var terms = normalise(state.q).split(/\s+/).filter(Boolean);
    var filtered = terms.length > 0 || state.department || state.method || state.status;
    var shown = 0;
    var matching = document.createDocumentFragment();
    entries.forEach(function (entry) {
      if (!matches(entry, terms, state.department, state.method, state.status)) { return; }
      shown += 1;
      if (entry.item) { matching.appendChild(entry.item); }
    });
    while (list.firstChild) { list.removeChild(list.firstChild); }
    list.appendChild(matching);
    var template = filtered ? count.getAttribute("data-template-filtered")
                            : count.getAttribute("data-template-all");
    count.textContent = fill(template || "{shown}", { total: entries.length, shown: shown });
    if (empty) { empty.hidden = shown !== 0; }
    rememberInAddress(state);
  }

  function restoreFromAddress() {
    if (!window.URLSearchParams) { return; }
    var params = new URLSearchParams(window.location.search);
    if (query && params.get("q")) { query.value = params.get("q"); }
    Object.keys(selects).forEach(function (key) {
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
  Object.keys(selects).forEach(function (key) {
    if (selects[key]) { selects[key].addEventListener("change", apply); }
  });

  restoreFromAddress();
  apply();
}());
