// Search page: queries the split Pagefind index (one part per region or province) with filters.
// Without JavaScript the page shows links to the listings instead (see search.html).
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) return;
  var root = form.getAttribute("data-root");
  var rootUrl = new URL(root, window.location.href);
  var out = document.getElementById("results");
  var status = document.getElementById("search-status");
  var input = document.getElementById("q");
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));
  var labels = JSON.parse(form.getAttribute("data-labels"));
  var pagefind = null;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }

  function load() {
    if (pagefind) return Promise.resolve(pagefind);
    return fetch(new URL("pagefind/parts.json", rootUrl)).then(function (r) { return r.json(); })
      .then(function (parts) {
        var first = new URL("pagefind/" + parts[0] + "/pagefind.js", rootUrl).href;
        return import(first).then(function (pf) {
          return pf.options({ baseUrl: rootUrl.pathname, excerptLength: 24 }).then(function () {
            // all parts at once: a national portal has ~90, one round trip each
            return Promise.all(parts.slice(1).map(function (part) {
              return pf.mergeIndex(new URL("pagefind/" + part + "/", rootUrl).href,
                { baseUrl: rootUrl.pathname });
            }));
          }).then(function () { return pf.init(); }).then(function () { pagefind = pf; return pf; });
        });
      });
  }

  function fillFilters(pf) {
    return pf.filters().then(function (all) {
      selects.forEach(function (select) {
        var name = select.getAttribute("data-filter");
        var wanted = new URLSearchParams(window.location.search).get(name) || "";
        var values = Object.keys(all[name] || {}).sort(function (a, b) { return a.localeCompare(b, "th"); });
        values.forEach(function (value) {
          var option = el("option", null, value + " (" + all[name][value] + ")");
          option.value = value;
          if (value === wanted) option.selected = true;
          select.appendChild(option);
        });
      });
    });
  }

  function render(results, total) {
    out.textContent = "";
    status.textContent = total ? labels.found.replace("{n}", total) : labels.none;
    var list = el("ol", "results");
    results.forEach(function (data) {
      var item = el("li", "result");
      var meta = data.meta || {};
      item.appendChild(el("span", "result-kind", meta.kind || ""));
      var h = el("h2", "result-title");
      var a = el("a", null, meta.title || data.url);
      a.href = data.url;
      h.appendChild(a);
      item.appendChild(h);
      var facts = [meta.fund, meta.area, meta.budget, meta.date].filter(Boolean);
      if (facts.length) item.appendChild(el("p", "meta", facts.join(" · ")));
      var excerpt = el("p", "excerpt");
      excerpt.innerHTML = data.excerpt; // Pagefind escapes the text and marks hits with <mark>
      item.appendChild(excerpt);
      list.appendChild(item);
    });
    out.appendChild(list);
    out.setAttribute("data-done", "1");
  }

  function run() {
    var query = input.value.trim();
    var filters = {};
    selects.forEach(function (s) { if (s.value) filters[s.getAttribute("data-filter")] = s.value; });
    if (!query && !Object.keys(filters).length) {
      out.textContent = ""; status.textContent = ""; out.setAttribute("data-done", "1"); return;
    }
    status.textContent = labels.searching;
    out.removeAttribute("data-done");
    load().then(function (pf) {
      return pf.search(query || null, { filters: filters });
    }).then(function (search) {
      return Promise.all(search.results.slice(0, 30).map(function (r) { return r.data(); }))
        .then(function (data) { render(data, search.results.length); });
    }).catch(function (err) { status.textContent = labels.error; console.error(err); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var params = new URLSearchParams();
    if (input.value.trim()) params.set("q", input.value.trim());
    selects.forEach(function (s) { if (s.value) params.set(s.getAttribute("data-filter"), s.value); });
    history.replaceState(null, "", "?" + params.toString());
    run();
  });
  selects.forEach(function (s) { s.addEventListener("change", run); });
  load().then(fillFilters).then(function () {
    input.value = new URLSearchParams(window.location.search).get("q") || "";
    form.setAttribute("data-ready", "1");
    run();
  }).catch(function (err) { status.textContent = labels.error; console.error(err); });
})();
