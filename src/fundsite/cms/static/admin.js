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

  var fund = new URLSearchParams(location.search).get('fund');
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
        bar.hidden = false;
        start(config);
      }, function (err) {
        pick(err.status === 404 ? 'ไม่พบกองทุนรหัส "' + fund + '"' : 'เปิดข้อมูลกองทุนไม่ได้: ' + err.message);
      });
  }, function (err) {
    pick('เปิดการตั้งค่าของตัวแก้ไขไม่ได้: ' + err.message);
  });
}());
