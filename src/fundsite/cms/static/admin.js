// fundsite's form editor: loads the configuration generated from the models and starts
// Decap CMS with it. With ?fund=<id> the editor holds only that fund's records; a site too big
// to list in a browser shows a fund picker first. No data of the site is turned into HTML here.
(function () {
  'use strict';
  var ID = /^[0-9A-Za-z\u0E01-\u0E59][0-9A-Za-z\u0E01-\u0E59_.\-]*$/;

  function getJSON(url) {
    return fetch(url, { credentials: 'same-origin' }).then(function (r) {
      if (!r.ok) { var e = new Error(url + ': ' + r.status); e.status = r.status; throw e; }
      return r.json();
    });
  }

  // "@fields.<kind>" and "@<name>" in a fund's configuration (cms/config.py: expand).
  function expand(value, fields, values) {
    if (Array.isArray(value)) return value.map(function (v) { return expand(v, fields, values); });
    if (value && typeof value === 'object') {
      var out = {};
      Object.keys(value).forEach(function (k) { out[k] = expand(value[k], fields, values); });
      return out;
    }
    if (typeof value === 'string' && value.indexOf('@fields.') === 0) {
      return expand(fields[value.slice(8)], fields, values);
    }
    if (typeof value === 'string' && value[0] === '@' &&
        Object.prototype.hasOwnProperty.call(values, value.slice(1))) {
      return values[value.slice(1)];
    }
    return value;
  }

  function link(bar, href, text) {
    var a = document.createElement('a');
    a.href = href;
    a.textContent = text;
    bar.appendChild(a);
  }

  function pick(message) {
    document.getElementById('fundsite-pick').hidden = false;
    document.getElementById('fundsite-pick-error').textContent = message || '';
  }

  function start(config) {
    // Thai labels of Decap's own buttons: a Decap-only setting, so not in config.json
    // (which stays valid for Sveltia CMS too).
    window.CMS.init({ config: Object.assign({ locale: 'th' }, config) });
  }

  // GitLab and Gitea log in by leaving the page and coming back with ?code=…: the fund
  // being edited is kept for the return.
  var query = new URLSearchParams(location.search);
  var fund = query.get('fund');
  if (fund !== null) sessionStorage.setItem('fundsite-fund', fund);
  else if (query.get('code')) fund = sessionStorage.getItem('fundsite-fund');
  getJSON('config.json').then(function (base) {
    if (fund === null) {
      if (base.collections.length) return start(base);
      return pick('');
    }
    fund = fund.trim();
    if (!ID.test(fund)) return pick('รหัสกองทุน "' + fund + '" ใช้ไม่ได้');
    return Promise.all([getJSON('fields.json'), getJSON('funds/' + encodeURIComponent(fund) + '.json')])
      .then(function (parts) {
        var scope = parts[1];
        var config = Object.assign({}, base, {
          collections: expand(scope.collections, parts[0], scope.values),
        });
        var bar = document.getElementById('fundsite-bar');
        link(bar, '#/collections/new-project/new', 'เพิ่มโครงการใหม่');
        link(bar, '#/collections/new-report/new', 'เพิ่มรายงานใหม่');
        link(bar, './', 'เปลี่ยนกองทุน');
        // only beside the lists: the form has its own buttons where the bar would sit
        var place = function () { bar.hidden = /\/(entries\/|new\b)/.test(location.hash); };
        window.addEventListener('hashchange', place);
        place();
        start(config);
      }, function (err) {
        pick(err.status === 404 ? 'ไม่พบกองทุนรหัส "' + fund + '"' : 'เปิดข้อมูลกองทุนไม่ได้: ' + err.message);
      });
  }, function (err) {
    pick('เปิดการตั้งค่าของตัวแก้ไขไม่ได้: ' + err.message);
  });
}());

// ---- notices: what `fundsite serve` says about a save ------------------------------------------
// Decap shows a refused save as a short toast, with the first words of the answer only. The
// backend of `fundsite serve` says which file, line and field and why (`error`, `problems`), and
// a save that went through may carry warnings (`warnings`; Decap ignores fields it does not
// know). This part watches the answers to Decap's requests to the proxy backend's URL and shows
// them in #fundsite-notices, in full, until closed or the next save. Text only (textContent):
// the messages quote records. It needs nothing from the part above: it learns the backend from
// the configuration handed to CMS.init.
(function () {
  'use strict';
  var WRITES = { persistEntry: true, persistMedia: true, deleteFile: true, deleteFiles: true };
  var TEXT = {
    refused: 'ยังไม่ได้บันทึก: ไฟล์ไม่เปลี่ยน แก้ตามข้อความนี้แล้วบันทึกอีกครั้ง',
    failed: 'ตัวแก้ไขทำงานไม่สำเร็จ',
    warnings: 'บันทึกแล้ว แต่มีคำเตือน (หน้าเว็บจะแสดงหมายเหตุนี้ด้วย)',
    close: 'ปิดข้อความนี้',
  };
  var api = null; // the proxy backend's URL path, once CMS.init has its configuration
  var realFetch = window.fetch;
  var cms = window.CMS;
  if (!realFetch || !cms || typeof cms.init !== 'function') return;

  var init = cms.init;
  cms.init = function (options) {
    var backend = options && options.config && options.config.backend;
    if (backend && backend.name === 'proxy' && typeof backend.proxy_url === 'string') {
      api = new URL(backend.proxy_url, location.href);
    }
    return init.apply(this, arguments);
  };

  function isApi(input) {
    if (!api) return false;
    var url = typeof input === 'string' ? input : (input && input.url) || String(input);
    try {
      var u = new URL(url, location.href);
      return u.origin === api.origin && u.pathname === api.pathname;
    } catch (e) {
      return false;
    }
  }

  function actionOf(body) {
    try {
      return String(JSON.parse(body).action || '');
    } catch (e) {
      return '';
    }
  }

  function region() {
    return document.getElementById('fundsite-notices');
  }

  function clear() {
    var box = region();
    while (box && box.firstChild) box.removeChild(box.firstChild);
  }

  function show(kind, title, lines) {
    var box = region();
    if (!box) return;
    var notice = document.createElement('div');
    notice.className = 'notice ' + kind;
    if (kind === 'error') notice.setAttribute('role', 'alert');
    var close = document.createElement('button');
    close.type = 'button';
    close.textContent = '\u00d7';
    close.setAttribute('aria-label', TEXT.close);
    close.title = TEXT.close;
    close.addEventListener('click', function () {
      notice.remove();
    });
    var heading = document.createElement('strong');
    heading.textContent = title;
    var list = document.createElement('ul');
    list.style.margin = '.25rem 0 0';
    list.style.paddingLeft = '1.25rem';
    lines.forEach(function (line) {
      var item = document.createElement('li');
      item.textContent = line;
      list.appendChild(item);
    });
    notice.appendChild(close);
    notice.appendChild(heading);
    notice.appendChild(list);
    box.appendChild(notice);
  }

  function lines(body) {
    if (body && Array.isArray(body.problems) && body.problems.length) {
      return body.problems.map(function (p) {
        return String((p && (p.text || p.message)) || '');
      });
    }
    var text = body && typeof body.error === 'string' ? body.error : '';
    return text.split('\n').filter(Boolean);
  }

  function report(action, response, body) {
    var write = WRITES[action] === true;
    if (response.ok) {
      if (!write) return;
      clear(); // the save went through: an earlier refusal no longer holds
      var warnings = body && Array.isArray(body.warnings) ? body.warnings.map(String) : [];
      if (warnings.length) show('warning', TEXT.warnings, warnings);
      return;
    }
    if (write) clear();
    var title = (body && typeof body.title === 'string' && body.title) ||
      (write ? TEXT.refused : TEXT.failed);
    var said = lines(body);
    show('error', title, said.length ? said : [response.status + ' ' + response.statusText]);
  }

  window.fetch = function (input, options) {
    var answer = realFetch.call(window, input, options);
    if (!isApi(input) || !options || typeof options.body !== 'string') return answer;
    var action = actionOf(options.body);
    return answer.then(function (response) {
      response.clone().json().then(
        function (body) { report(action, response, body); },
        function () { report(action, response, null); }
      );
      return response;
    });
  };
}());
