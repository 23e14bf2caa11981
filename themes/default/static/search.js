// Search page: exact Thai words over the Pagefind index, in one part or split by region or
// province, with the same results and order either way. Without JavaScript the page links to
// the "find your area" path instead (see search.html).
//
// The index holds each page's words one space apart, segmented like the browser's
// Intl.Segmenter does (fundsite.index.segment). A query is cut into chunks at spaces (or
// "quoted phrases"); each chunk into words with the same segmenter. Each word is looked up
// exactly in every loaded part (no prefix, no fallback to a shorter word, which a part that
// lacks the word would answer with), and a page matches a chunk where its words stand next
// to each other. Pages rank by where their matches start (code and title come first in the
// index), then by page hash: both belong to the page, not to the part it was indexed in.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) return;
  var rootUrl = new URL(form.getAttribute("data-root"), window.location.href);
  var out = document.getElementById("results");
  var status = document.getElementById("search-status");
  var input = document.getElementById("q");
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));
  var province = form.querySelector("select[data-filter=province]");
  var district = form.querySelector("select[data-filter=district]");
  var labels = JSON.parse(form.getAttribute("data-labels"));
  var PAGE = 30;
  var segmenter = typeof Intl !== "undefined" && Intl.Segmenter
    ? new Intl.Segmenter("th", { granularity: "word" }) : null;
  var parts = null; // every part's name, from pagefind/parts.json
  var ready = null; // promise of the Pagefind module, from the first part loaded
  var merged = {}; // part name -> promise of it being merged
  var found = {}; // "word|filters" -> promise of {page hash: result}
  var running = 0;
  var shards = {}; // first letter -> promise of {name key: [[name, kind, area, page]]}
  var wide = false; // a national index: search every province's part, not the directory only
  var fullText = false; // search the text even when the query is a place's name

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }

  var OPTIONS = { baseUrl: rootUrl.pathname, exactDiacritics: true };

  function partUrl(name) { return new URL("pagefind/" + name + "/", rootUrl).href; }

  // The parts that can hold a page of the chosen province: its own, its region's, "common".
  function partsFor() {
    var option = province.selectedOptions[0];
    var code = option && option.getAttribute("data-code");
    if (!code) return parts;
    var region = option.getAttribute("data-region");
    var wanted = ["province-" + code, "region-" + region, "common", "directory", "all"];
    return parts.filter(function (p) { return wanted.indexOf(p) >= 0; });
  }

  function load(names) {
    if (!ready) {
      var head = names[0];
      ready = import(new URL("pagefind.js", partUrl(head)).href).then(function (pf) {
        return pf.options(OPTIONS).then(function () {
          return pf.init();
        }).then(function () { return pf; });
      });
      merged[head] = ready;
    }
    return ready.then(function (pf) {
      return Promise.all(names.map(function (name) {
        if (!merged[name]) {
          merged[name] = pf.mergeIndex(partUrl(name), OPTIONS); // each part its own
        }
        return merged[name];
      })).then(function () { return pf; });
    });
  }

  // Lower-cased words of a text, as the index holds them: letters and digits only.
  function wordsOf(text) {
    var out = [];
    if (segmenter) {
      var it = segmenter.segment(text.toLowerCase());
      for (var s = it[Symbol.iterator](), step = s.next(); !step.done; step = s.next()) {
        var w = step.value.segment.replace(/[^\p{L}\p{M}\p{N}]/gu, "");
        if (w) out.push(w);
      }
    } else {
      out = text.toLowerCase().split(/[^\p{L}\p{M}\p{N}]+/u).filter(Boolean);
    }
    return out;
  }

  function chunksOf(query) {
    var chunks = [], re = /"([^"]+)"|(\S+)/g, m;
    while ((m = re.exec(query))) {
      var words = wordsOf(m[1] || m[2]);
      if (words.length) chunks.push(words);
    }
    return chunks;
  }

  // The pages holding a word, each with where the word stands on it. Pagefind's exact search
  // finds exactly the pages holding the word (its plain search also finds longer words it
  // begins, and in a part without the word, pages holding a shorter word that begins it), but
  // it gives only the first place the word stands; the plain search gives every place.
  function lookup(pf, word, filters) {
    var key = word + "|" + JSON.stringify(filters) + "|" + Object.keys(merged).length;
    if (!found[key]) {
      found[key] = Promise.all([
        pf.search('"' + word + '"', { filters: filters }),
        pf.search(word, { filters: filters }),
      ]).then(function (both) {
        var exact = {}, pages = {};
        both[0].results.forEach(function (r) { exact[r.id] = r; });
        both[1].results.forEach(function (r) {
          // a match in the metadata only has no place in the text: it is no match
          if (exact[r.id] && r.words.length) pages[r.id] = { result: exact[r.id], at: r.words };
        });
        return pages;
      });
    }
    return found[key];
  }

  // Where the words of a chunk first stand together on a page, or -1.
  function startOf(hits, id) {
    var later = hits.slice(1).map(function (h) {
      var set = {};
      h[id].at.forEach(function (p) { set[p] = true; });
      return set;
    });
    var first = hits[0][id].at;
    for (var i = 0; i < first.length; i++) {
      var p = first[i], ok = true;
      for (var k = 0; k < later.length && ok; k++) ok = later[k][p + k + 1] === true;
      if (ok) return p;
    }
    return -1;
  }

  // The ways a chunk's words may stand in a text: the browser cuts a run of Thai on its own,
  // the index cut it inside a longer text, where a dictionary word may join two of ours
  // ("หาดใหญ่" alone is หาด ใหญ่; in "อำเภอหาดใหญ่" it is one word). Each way is a list of
  // words, each one or more adjacent words of the chunk; up to six words, every way. Only
  // Thai words join: a code's parts (68 L5218 4 01) never do.
  function waysOf(words) {
    if (words.length > 6) return [words];
    var thai = /^[\u0E00-\u0E7F]+$/;
    var ways = [[]];
    words.forEach(function (w, i) {
      var next = [];
      ways.forEach(function (way) {
        next.push(way.concat([w]));
        var last = way[way.length - 1];
        if (i > 0 && thai.test(w) && thai.test(last)) next.push(way.slice(0, -1).concat([last + w]));
      });
      ways = next;
    });
    return ways;
  }

  // Matching pages, best first: [{id, rank, result}].
  function match(pf, chunks, filters) {
    var plans = chunks.map(waysOf);
    var words = [];
    plans.forEach(function (ways) {
      ways.forEach(function (way) {
        way.forEach(function (w) { if (words.indexOf(w) < 0) words.push(w); });
      });
    });
    return Promise.all(words.map(function (w) { return lookup(pf, w, filters); })).then(function (all) {
      var byWord = {};
      words.forEach(function (w, i) { byWord[w] = all[i]; });
      var ids = {};
      plans[0].forEach(function (way) {
        Object.keys(byWord[way[0]]).forEach(function (id) { ids[id] = byWord[way[0]][id].result; });
      });
      var ranked = [];
      Object.keys(ids).forEach(function (id) {
        var rank = 0;
        for (var c = 0; c < plans.length; c++) {
          var best = -1;
          plans[c].forEach(function (way) {
            var hits = way.map(function (w) { return byWord[w]; });
            if (!hits.every(function (h) { return h[id]; })) return;
            var start = startOf(hits, id);
            if (start >= 0 && (best < 0 || start < best)) best = start;
          });
          if (best < 0) return;
          rank += best;
        }
        ranked.push({ id: id, rank: rank, result: ids[id] });
      });
      ranked.sort(function (a, b) { return a.rank - b.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0); });
      return ranked;
    });
  }

  function browse(pf, filters) {
    return pf.search(null, { filters: filters }).then(function (search) {
      return search.results.map(function (r) { return { id: r.id, rank: 0, result: r }; })
        .sort(function (a, b) { return a.id < b.id ? -1 : a.id > b.id ? 1 : 0; });
    });
  }

  // The record's own text around the first place it holds the query, hits marked.
  function excerpt(text, chunks) {
    var node = el("p", "excerpt");
    if (!text) return node;
    var gap = "[^\\p{L}\\p{M}\\p{N}]*";
    var pattern = new RegExp(chunks.map(function (words) {
      return words.map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }).join(gap);
    }).join("|") || "(?!)", "giu");
    var first = pattern.exec(text);
    var start = 0, end = Math.min(text.length, 160);
    if (first) {
      start = Math.max(0, first.index - 60);
      end = Math.min(text.length, first.index + first[0].length + 100);
    }
    var piece = text.slice(start, end);
    pattern.lastIndex = 0;
    var at = 0, m;
    if (start > 0) node.appendChild(document.createTextNode("… "));
    while (first && (m = pattern.exec(piece)) && m[0]) {
      node.appendChild(document.createTextNode(piece.slice(at, m.index)));
      node.appendChild(el("mark", null, m[0]));
      at = m.index + m[0].length;
    }
    node.appendChild(document.createTextNode(piece.slice(at)));
    if (end < text.length) node.appendChild(document.createTextNode(" …"));
    return node;
  }

  function item(data, chunks) {
    var meta = data.meta || {};
    var li = el("li", "result");
    var kind = el("p", "result-kind", meta.kind || "");
    if (meta.area) kind.appendChild(el("span", "result-area", " · " + meta.area));
    li.appendChild(kind);
    var h = el("h2", "result-title");
    var a = el("a", null, meta.title || data.url);
    a.href = data.url;
    h.appendChild(a);
    li.appendChild(h);
    var facts = [meta.code, meta.fund, meta.budget, meta.date].filter(Boolean);
    if (facts.length) li.appendChild(el("p", "meta", facts.join(" · ")));
    li.appendChild(excerpt(meta.text, chunks));
    return li;
  }

  // The page whose code is the query goes first, where it is among those shown.
  function codeFirst(datas, query) {
    var bare = query.replace(/[^\p{L}\p{N}]/gu, "").toLowerCase();
    var at = datas.findIndex(function (d) {
      return d.meta && d.meta.code && d.meta.code.replace(/[^\p{L}\p{N}]/gu, "").toLowerCase() === bare;
    });
    if (at > 0) datas.unshift(datas.splice(at, 1)[0]);
    return datas;
  }

  function show(ranked, chunks, query, list, from) {
    var slice = ranked.slice(from, from + PAGE);
    return Promise.all(slice.map(function (r) { return r.result.data(); })).then(function (datas) {
      if (from === 0) codeFirst(datas, query);
      datas.forEach(function (d) { list.appendChild(item(d, chunks)); });
      var old = out.querySelector(".results ~ .more");
      if (old) old.remove();
      var rest = ranked.length - from - slice.length;
      if (rest > 0) {
        out.appendChild(button(labels.more.replace("{n}", Math.min(PAGE, rest)), function () {
          show(ranked, chunks, query, list, from + PAGE);
        }));
      }
    });
  }

  function nameKey(text) { return text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}]+/gu, ""); }

  // Areas and issues named by the query (or whose name it begins): {exact, begins}.
  function placesFor(query) {
    var key = nameKey(query);
    if (!key) return Promise.resolve({ exact: [], begins: [] });
    var shard = key.codePointAt(0).toString(16);
    if (!shards[shard]) {
      shards[shard] = fetch(new URL("search/places/" + shard + ".json", rootUrl))
        .then(function (r) { return r.ok ? r.json() : {}; })
        .catch(function () { return {}; });
    }
    return shards[shard].then(function (names) {
      var begins = [];
      if (key.length > 1) {
        Object.keys(names).forEach(function (k) {
          if (k !== key && k.indexOf(key) === 0 && begins.length < 8) begins = begins.concat(names[k]);
        });
      }
      return { exact: names[key] || [], begins: begins };
    });
  }

  function showPlaces(places) {
    var all = places.exact.concat(places.begins);
    if (!all.length) return;
    var box = el("section", "places");
    box.appendChild(el("h2", null, labels.places));
    var list = el("ul");
    all.forEach(function (p) {
      var li = el("li");
      var a = el("a", null, p[0]);
      a.href = new URL(p[3], rootUrl).pathname;
      li.appendChild(a);
      li.appendChild(el("span", "meta", " " + [p[1], p[2]].filter(Boolean).join(" · ")));
      list.appendChild(li);
    });
    box.appendChild(list);
    out.appendChild(box);
  }

  function button(text, onclick) {
    var b = el("button", "more", text);
    b.type = "button";
    b.addEventListener("click", function () { b.disabled = true; onclick(); });
    return b;
  }

  function run() {
    var query = input.value.trim();
    var filters = {};
    selects.forEach(function (s) { if (s.value) filters[s.getAttribute("data-filter")] = s.value; });
    var chunks = chunksOf(query);
    var ticket = ++running;
    var national = parts.indexOf("directory") >= 0;
    var scoped = Object.keys(filters).length > 0;
    out.removeAttribute("data-done");
    if (!chunks.length && !scoped) {
      out.textContent = ""; status.textContent = query ? labels.none : "";
      out.setAttribute("data-done", "1"); return;
    }
    status.textContent = labels.searching;
    function done() { if (ticket === running) out.setAttribute("data-done", "1"); }
    placesFor(query).then(function (places) {
      if (ticket !== running) return;
      out.textContent = "";
      showPlaces(places);
      // A national portal answers a place's name from the names alone (a few kilobytes);
      // the text of every record is one tap away.
      if (national && places.exact.length && !scoped && !fullText) {
        status.textContent = labels.found.replace("{n}", places.exact.length + places.begins.length);
        out.appendChild(button(labels.text, function () { fullText = true; run(); }));
        return;
      }
      var names = province.value ? partsFor() : national && !wide ? ["directory"] : parts;
      return load(names).then(function (pf) {
        return chunks.length ? match(pf, chunks, filters) : browse(pf, filters);
      }).then(function (ranked) {
        if (ticket !== running) return;
        var directory = national && !wide && !province.value;
        status.textContent = ranked.length ? labels.found.replace("{n}", ranked.length)
          : directory ? labels.noneInDirectory : labels.none;
        if (directory) {
          out.appendChild(el("p", "meta", labels.directory));
          out.appendChild(button(labels.everywhere, function () { wide = true; run(); }));
        }
        var list = el("ol", "results");
        out.appendChild(list);
        return show(ranked, chunks, query, list, 0);
      });
    }).then(done).catch(function (err) {
      status.textContent = labels.error; out.setAttribute("data-done", "1"); console.error(err);
    });
  }

  // A district is offered only under its province.
  function narrowDistricts() {
    var option = province.selectedOptions[0];
    var code = option && option.getAttribute("data-code");
    Array.prototype.forEach.call(district.options, function (o) {
      var own = o.getAttribute("data-province");
      o.hidden = own !== null && (!code || own !== code);
    });
    district.disabled = !code;
    if (district.selectedOptions[0] && district.selectedOptions[0].hidden) district.value = "";
  }

  function submit(event) {
    if (event) event.preventDefault();
    fullText = false;
    var params = new URLSearchParams();
    if (input.value.trim()) params.set("q", input.value.trim());
    selects.forEach(function (s) { if (s.value) params.set(s.getAttribute("data-filter"), s.value); });
    history.replaceState(null, "", "?" + params.toString());
    run();
  }

  // Every matching page's URL, best first, as the page would list them: for tests and tools.
  window.fundsiteSearch = function (query, filters) {
    var chunks = chunksOf(query);
    filters = filters || {};
    return load(parts).then(function (pf) {
      return chunks.length ? match(pf, chunks, filters) : browse(pf, filters);
    }).then(function (ranked) {
      return Promise.all(ranked.map(function (r) { return r.result.data(); }));
    }).then(function (datas) {
      return codeFirst(datas.slice(0, PAGE), query).concat(datas.slice(PAGE))
        .map(function (d) { return d.url; });
    });
  };

  form.addEventListener("submit", submit);
  selects.forEach(function (s) {
    s.addEventListener("change", function () { if (s === province) narrowDistricts(); submit(); });
  });
  var params = new URLSearchParams(window.location.search);
  input.value = params.get("q") || "";
  selects.forEach(function (s) {
    var wanted = params.get(s.getAttribute("data-filter"));
    if (wanted && Array.prototype.some.call(s.options, function (o) { return o.value === wanted; })) {
      s.value = wanted;
    }
  });
  narrowDistricts();
  fetch(new URL("pagefind/parts.json", rootUrl)).then(function (r) { return r.json(); })
    .then(function (names) {
      parts = names;
      form.setAttribute("data-ready", "1");
      if (input.value || selects.some(function (s) { return s.value; })) run();
    }).catch(function (err) { status.textContent = labels.error; console.error(err); });
})();
