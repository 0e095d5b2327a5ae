/* storyclust HTML report: draws every view from the embedded JSON, on demand.
 * Data text only ever reaches the page through text nodes (put() / textContent), never as markup;
 * control, formatting and bidi characters are shown as visible escapes (\x1b, \u202e), as in the terminal. */
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('storyclust-data').textContent);
  var A = D.articles;
  var N = A.id.length;
  var OUTLETS = D.outlets;
  var app = document.getElementById('app');
  var PAGE = 50;
  var DAY = 86400000;

  // ---- safe text -------------------------------------------------------------------------------
  // The characters storyclust.report escapes in the terminal (Unicode categories Cc, Cf, Cs, Zl, Zp: controls,
  // bidi and zero-width formatting, lone surrogates, line separators), written the same way.
  var HIDDEN_LINE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;
  var HIDDEN_TEXT = /(?![\n\r\t])[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu; // a text body keeps its line breaks and tabs
  var SHORT = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

  function code(ch) {
    if (SHORT[ch]) return SHORT[ch];
    var c = ch.codePointAt(0), hex = c.toString(16);
    if (c < 0x100) return '\\x' + ('0' + hex).slice(-2);
    if (c < 0x10000) return '\\u' + ('000' + hex).slice(-4);
    return '\\U' + ('0000000' + hex).slice(-8);
  }

  function visible(s) { // for attributes: the same escapes, as plain text
    return String(s == null ? '' : s).replace(HIDDEN_LINE, code);
  }

  function put(el, s, multiline) {
    s = s == null ? '' : String(s);
    var re = multiline ? HIDDEN_TEXT : HIDDEN_LINE;
    re.lastIndex = 0;
    var last = 0, m;
    while ((m = re.exec(s)) !== null) {
      if (m.index > last) el.appendChild(document.createTextNode(s.slice(last, m.index)));
      var esc = document.createElement('span');
      esc.className = 'esc';
      esc.textContent = code(m[0]);
      el.appendChild(esc);
      last = m.index + m[0].length;
    }
    if (last < s.length) el.appendChild(document.createTextNode(s.slice(last)));
    return el;
  }

  function h(tag, props, children) {
    var el = document.createElement(tag);
    props = props || {};
    Object.keys(props).forEach(function (k) {
      var v = props[k];
      if (v == null) return;
      if (k === 'cls') el.className = v;
      else if (k === 'text') put(el, v, false);
      else if (k === 'body') put(el, v, true);
      else if (k === 'on') Object.keys(v).forEach(function (e) { el.addEventListener(e, v[e]); });
      else if (k === 'data') Object.keys(v).forEach(function (d) { el.setAttribute('data-' + d, String(v[d])); });
      else if (k === 'href') el.setAttribute('href', safeHref(v));
      else el.setAttribute(k, visible(v));
    });
    (children || []).forEach(function (c) {
      if (c == null) return;
      el.appendChild(typeof c === 'string' || typeof c === 'number' ? put(document.createElement('span'), c) : c);
    });
    return el;
  }

  function safeHref(v) {
    v = String(v);
    if (v.charAt(0) === '#') return v;
    return /^https?:\/\/[^\s]+$/i.test(v) ? v : '#';
  }

  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }
  function fmt(n) { return Number(n).toLocaleString('en-US'); }
  function day(iso) { return iso ? String(iso).slice(0, 10) : ''; }
  function outletName(k) { return k >= 0 ? OUTLETS[k] : ''; }
  function when(iso) { // the day, and the time of day when there is one
    if (!iso) return 'undated';
    var t = String(iso).slice(11, 16);
    return day(iso) + (t && t !== '00:00' ? ' ' + t : '');
  }

  // ---- indexes built once, on first use ------------------------------------------------------
  var storyById = {}, groupById = {}, roleOf = null, search = {};
  (D.stories || []).forEach(function (s) { storyById[s.id] = s; });
  D.groups.forEach(function (g) { groupById[g.id] = g; });

  function roles() { // article -> [group, kinds, parent]
    if (roleOf) return roleOf;
    roleOf = new Array(N);
    D.groups.forEach(function (g) {
      g.order.forEach(function (i, k) { roleOf[i] = [g, g.kinds[k], g.parent[k]]; });
    });
    return roleOf;
  }

  function haystack(kind, item, members) {
    var key = kind + item.id;
    if (search[key] === undefined) {
      var parts = [];
      if (item.headline) parts.push(item.headline);
      if (item.terms) parts.push(item.terms.join(' '));
      members.forEach(function (i) { parts.push(A.title[i], A.id[i], outletName(A.outlet[i])); });
      search[key] = parts.join('\n').toLowerCase();
    }
    return search[key];
  }

  // ---- routing -------------------------------------------------------------------------------
  function parseHash() {
    var raw = location.hash.slice(1);
    var q = raw.indexOf('?');
    return { path: q < 0 ? raw : raw.slice(0, q), params: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
  }

  function route() {
    var r = parseHash(), m;
    clear(app);
    if ((m = /^story=(-?\d+)$/.exec(r.path)) !== null) storyPage(Number(m[1]));
    else if ((m = /^group=(\d+)$/.exec(r.path)) !== null) groupPage(Number(m[1]), r.params.get('copy'));
    else if (r.path === 'groups' || !D.stories) listPage('groups', r.params);
    else listPage('stories', r.params);
  }

  function header() {
    var c = D.counts, nav = clear(document.getElementById('nav'));
    if (D.stories) nav.appendChild(h('a', { href: '#stories' }, ['Stories']));
    nav.appendChild(h('a', { href: '#groups' }, ['Duplicate groups']));
    var parts = [fmt(c.articles || N) + ' articles', fmt(c.duplicate_groups || 0) + ' duplicate groups',
      fmt(c.copies || 0) + ' copies'];
    if (D.stories) parts.push(fmt(D.stories.length) + ' stories');
    parts.push(fmt(c.skipped || 0) + ' skipped');
    put(clear(document.getElementById('counts')), parts.join(' \u00b7 '));
  }

  // ---- timeline ------------------------------------------------------------------------------
  var SVG = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs) {
    var el = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, String(attrs[k])); });
    return el;
  }

  function timeline(articles, label) {
    var counts = {}, undated = 0;
    articles.forEach(function (i) {
      var d = day(A.date[i]);
      if (d) counts[d] = (counts[d] || 0) + 1; else undated += 1;
    });
    var days = Object.keys(counts).sort();
    var box = h('figure', { cls: 'timeline', data: { days: days.length } });
    var cap = label + ': ' + fmt(articles.length) + ' articles on ' + fmt(days.length) + ' days';
    if (undated) cap += ', ' + fmt(undated) + ' undated';
    if (!days.length) { box.appendChild(h('figcaption', {}, [cap])); return box; }
    var t0 = Date.parse(days[0] + 'T00:00:00Z'), t1 = Date.parse(days[days.length - 1] + 'T00:00:00Z');
    var span = Math.round((t1 - t0) / DAY) + 1, max = 0;
    days.forEach(function (d) { if (counts[d] > max) max = counts[d]; });
    var W = 960, H = 90, TOP = 16, slot = W / span, bw = Math.max(Math.min(slot * 0.9, 12), 1);
    var chart = svg('svg', { viewBox: '0 0 ' + W + ' ' + (TOP + H + 18), width: '100%', role: 'img', 'class': 'bars' });
    var title = svg('title'); title.textContent = cap; chart.appendChild(title);
    chart.appendChild(svg('line', { x1: 0, x2: W, y1: TOP + H + 0.5, y2: TOP + H + 0.5, 'class': 'axis' }));
    days.forEach(function (d) {
      var x = Math.round((Date.parse(d + 'T00:00:00Z') - t0) / DAY) * slot + (slot - bw) / 2;
      var bh = Math.max(1, Math.round(counts[d] / max * H));
      var r = svg('rect', { x: x.toFixed(2), y: TOP + H - bh, width: bw.toFixed(2), height: bh });
      var tip = svg('title'); tip.textContent = d + ': ' + counts[d] + (counts[d] === 1 ? ' article' : ' articles');
      r.appendChild(tip);
      chart.appendChild(r);
    });
    [[0, 'start', days[0]], [W, 'end', days[days.length - 1]]].forEach(function (a) {
      var t = svg('text', { x: a[0], y: TOP + H + 14, 'text-anchor': a[1] }); t.textContent = a[2]; chart.appendChild(t);
    });
    var top = svg('text', { x: 0, y: 11 }); top.textContent = 'most in a day: ' + max; chart.appendChild(top);
    box.appendChild(chart);
    box.appendChild(h('figcaption', {}, [cap]));
    return box;
  }

  // ---- lists (stories, duplicate groups) with filters ------------------------------------------
  var FILTERS = [['q', 'Search', 'text'], ['outlet', 'Outlet', 'text'], ['from', 'From', 'date'],
    ['to', 'To', 'date'], ['min', 'Min size', 'number'], ['max', 'Max size', 'number']];

  function outletList() {
    var list = document.getElementById('outlet-list');
    if (list) return list;
    list = h('datalist', { id: 'outlet-list' });
    OUTLETS.forEach(function (name) { list.appendChild(h('option', { value: name })); });
    document.body.appendChild(list);
    return list;
  }

  function items(kind) {
    if (kind === 'stories') return D.stories.map(function (s) {
      return { item: s, members: s.members, size: s.size, first: day(s.first), last: day(s.last), outlets: s.outlets };
    });
    return D.groups.map(function (g) {
      var ds = g.order.map(function (i) { return day(A.date[i]); }).filter(Boolean).sort();
      var outs = {};
      g.order.forEach(function (i) { if (A.outlet[i] >= 0) outs[A.outlet[i]] = 1; });
      return { item: g, members: g.order, size: g.order.length, first: ds[0] || '', last: ds[ds.length - 1] || '',
        outlets: Object.keys(outs).map(Number) };
    });
  }

  function filter(kind, p) { // the address's filters as one test per listed item
    var q = (p.get('q') || '').trim().toLowerCase(), outlet = p.get('outlet') || '';
    var k = outlet ? OUTLETS.indexOf(outlet) : -1;
    var from = p.get('from') || '', to = p.get('to') || '';
    var min = Number(p.get('min') || 0), max = Number(p.get('max') || 0);
    return function (e) {
      if (outlet && (k < 0 || e.outlets.indexOf(k) < 0)) return false;
      if (from && (!e.last || e.last < from)) return false;
      if (to && (!e.first || e.first > to)) return false;
      if (min && e.size < min) return false;
      if (max && e.size > max) return false;
      return !q || haystack(kind, e.item, e.members).indexOf(q) >= 0;
    };
  }

  function listPage(kind, params) {
    app.setAttribute('data-view', kind);
    var all = items(kind);
    var form = h('form', { cls: 'filters', on: { submit: function (ev) { ev.preventDefault(); } } });
    FILTERS.forEach(function (f) {
      var input = h('input', { name: f[0], type: f[2], value: params.get(f[0]) || '', list: f[0] === 'outlet' ? 'outlet-list' : null,
        min: f[2] === 'number' ? 1 : null, placeholder: f[0] === 'q' ? 'headline, terms, title, id, outlet' : null });
      input.addEventListener('input', later);
      form.appendChild(h('label', {}, [f[1], input]));
    });
    var sort = h('select', { name: 'sort' });
    [['size', 'largest first'], ['new', 'newest first'], ['old', 'oldest first']].forEach(function (o) {
      var opt = h('option', { value: o[0] }, [o[1]]);
      if ((params.get('sort') || 'size') === o[0]) opt.selected = true;
      sort.appendChild(opt);
    });
    sort.addEventListener('change', later);
    form.appendChild(h('label', {}, ['Sort', sort]));
    outletList();
    app.appendChild(h('h2', {}, [kind === 'stories' ? 'Stories' : 'Duplicate groups']));
    app.appendChild(form);
    var results = h('section', { id: 'results' });
    app.appendChild(results);
    if (D.skipped && D.skipped.length) app.appendChild(skippedList());
    var timer = null;
    function later() { clearTimeout(timer); timer = setTimeout(update, 150); }
    function update() {
      var p = new URLSearchParams();
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name && el.value && !(el.name === 'sort' && el.value === 'size')) p.set(el.name, el.value);
      });
      history.replaceState(null, '', '#' + kind + (String(p) ? '?' + p : ''));
      draw(p);
    }
    function draw(p) {
      clear(results);
      var found = all.filter(filter(kind, p));
      var order = p.get('sort');
      if (!order || order === 'size') found.sort(function (a, b) { return b.size - a.size; });  // stable: ties keep their order
      if (order === 'new') found.sort(function (a, b) { return a.last < b.last ? 1 : a.last > b.last ? -1 : 0; });
      if (order === 'old') found.sort(function (a, b) { return a.first > b.first ? 1 : a.first < b.first ? -1 : 0; });
      app.setAttribute('data-matches', found.length);
      var volume = [];
      found.forEach(function (e) { Array.prototype.push.apply(volume, e.members); });
      results.appendChild(timeline(volume, (kind === 'stories' ? 'Story' : 'Copy') + ' volume by day'));
      var note = h('p', { cls: 'note' });
      results.appendChild(note);
      var table = kind === 'stories' ? storyTable() : groupTable();
      results.appendChild(table.el);
      var shown = 0;
      var more = h('button', { type: 'button', cls: 'more', on: { click: next } }, ['Show more']);
      results.appendChild(more);
      function next() {
        found.slice(shown, shown + PAGE).forEach(function (e) { table.add(e); });
        shown = Math.min(found.length, shown + PAGE);
        app.setAttribute('data-shown', shown);
        clear(note);
        put(note, fmt(found.length) + ' of ' + fmt(all.length) + (kind === 'stories' ? ' stories' : ' groups') +
          ' match; showing ' + fmt(shown) + '.');
        more.hidden = shown >= found.length;
      }
      next();
    }
    draw(params);
  }

  function outletCell(independent, every) {
    var names = every.slice(0, 3).map(outletName).join(', ') + (every.length > 3 ? ', \u2026' : '');
    var cell = h('td', { cls: 'outlets' });
    cell.appendChild(h('span', { cls: 'count', title: 'independent outlets (an article that is not a copy) of all outlets' },
      [independent.length + ' of ' + every.length]));
    if (names) cell.appendChild(h('div', { text: names }));
    return cell;
  }

  function storyTable() {
    var body = h('tbody');
    var el = h('table', { cls: 'list stories' }, [h('thead', {}, [h('tr', {}, ['#', 'Size', 'Copies', 'Dates',
      'Independent / all outlets', 'Headline and terms'].map(function (t) { return h('th', {}, [t]); }))]), body]);
    return { el: el, add: function (e) {
      var s = e.item;
      body.appendChild(h('tr', { cls: 'story-row', data: { story: s.id } }, [
        h('td', {}, [h('a', { href: '#story=' + s.id }, [String(s.id)])]),
        h('td', { cls: 'num' }, [fmt(s.size)]), h('td', { cls: 'num' }, [fmt(s.copies)]),
        h('td', { cls: 'dates' }, [day(s.first) + (s.last && day(s.last) !== day(s.first) ? ' \u2013 ' + day(s.last) : '')]),
        outletCell(s.independent, s.outlets),
        h('td', {}, [h('a', { href: '#story=' + s.id, cls: 'headline', text: s.headline }),
          h('div', { cls: 'terms', text: s.terms.join(' \u00b7 ') })])
      ]));
    } };
  }

  function groupTable() {
    var body = h('tbody');
    var el = h('table', { cls: 'list groups' }, [h('thead', {}, [h('tr', {}, ['#', 'Articles', 'Dates', 'Outlets',
      'Origin', 'Changes'].map(function (t) { return h('th', {}, [t]); }))]), body]);
    return { el: el, add: function (e) {
      var g = e.item, o = g.origin;
      body.appendChild(h('tr', { cls: 'group-row', data: { group: g.id } }, [
        h('td', {}, [h('a', { href: '#group=' + g.id }, [String(g.id)])]),
        h('td', { cls: 'num' }, [fmt(g.order.length)]),
        h('td', { cls: 'dates' }, [e.first + (e.last && e.last !== e.first ? ' \u2013 ' + e.last : '')]),
        h('td', { cls: 'num' }, [fmt(e.outlets.length)]),
        h('td', {}, [h('a', { href: '#group=' + g.id, cls: 'headline', text: A.title[o] }),
          h('div', { cls: 'meta', text: [day(A.date[o]), outletName(A.outlet[o]), A.id[o]].filter(Boolean).join(' \u00b7 ') })]),
        h('td', { cls: 'kinds' }, [kindSummary(g)])
      ]));
    } };
  }

  function kindSummary(g) {
    var n = {};
    g.kinds.forEach(function (ks) { ks.forEach(function (k) { n[k] = (n[k] || 0) + 1; }); });
    return Object.keys(n).sort().map(function (k) { return n[k] + ' ' + k; }).join(', ');
  }

  function skippedList() {
    var box = h('details', { cls: 'skipped' }, [h('summary', {}, [fmt(D.skipped.length) + ' skipped records'])]);
    var ul = h('ul');
    D.skipped.slice(0, 1000).forEach(function (s) { ul.appendChild(h('li', {}, [h('code', { text: s.location }), ' ', h('span', { text: s.reason })])); });
    box.appendChild(ul);
    return box;
  }

  // ---- one story -----------------------------------------------------------------------------
  function missing(what) {
    app.setAttribute('data-view', 'missing');
    app.appendChild(h('p', { cls: 'note' }, ['No ' + what + ' in this report.']));
  }

  function role(i) {
    var r = roles()[i];
    if (!r) return h('span', { cls: 'role unique' }, ['unique']);
    var g = r[0], link = h('a', { href: '#group=' + g.id }, ['group ' + g.id]);
    if (A.canonical[i] === i) return h('span', { cls: 'role canonical' }, ['canonical of ', link, ' (' + (g.order.length - 1) + ' copies)']);
    return h('span', { cls: 'role copy' }, ['copy in ', link, ' of ', h('code', { text: A.id[A.canonical[i]] }),
      h('div', { cls: 'kinds' }, [r[1].join(', ')])]);
  }

  function storyPage(id) {
    var s = storyById[id];
    if (!s) return missing('story ' + id);
    app.setAttribute('data-view', 'story');
    app.setAttribute('data-story', id);
    app.appendChild(h('h2', { text: s.headline, cls: 'headline' }));
    var dl = h('dl', { cls: 'facts' });
    [['Story', String(s.id)], ['Articles', fmt(s.size) + ' unique + ' + fmt(s.copies) + ' copies'],
      ['Dates', day(s.first) + ' \u2013 ' + day(s.last)],
      ['Independent outlets', s.independent.length + ' of ' + s.outlets.length + ' outlets'],
      ['Terms', s.terms.join(' \u00b7 ')]].forEach(function (f) {
      dl.appendChild(h('dt', {}, [f[0]])); dl.appendChild(h('dd', { text: f[1] }));
    });
    if (s.outlets.length) {
      dl.appendChild(h('dt', {}, ['Outlets']));
      var dd = h('dd', { cls: 'outlet-names' });
      s.outlets.forEach(function (k) {
        dd.appendChild(h('span', { cls: s.independent.indexOf(k) >= 0 ? 'outlet independent' : 'outlet', text: OUTLETS[k] }));
      });
      dl.appendChild(dd);
    }
    app.appendChild(dl);
    app.appendChild(timeline(s.members, 'Articles by day'));
    var body = h('tbody');
    app.appendChild(h('table', { cls: 'list articles' }, [h('thead', {}, [h('tr', {}, ['Date', 'Outlet', 'Title', 'Id', 'Role']
      .map(function (t) { return h('th', {}, [t]); }))]), body]));
    pager(s.members, 100, function (i) {
      var title = h('td', {}, [A.url[i] ? h('a', { href: A.url[i], cls: 'title', rel: 'noopener noreferrer', text: A.title[i] })
        : h('span', { cls: 'title', text: A.title[i] })]);
      if (A.snippet[i]) title.appendChild(h('div', { cls: 'snippet', body: A.snippet[i] }));
      body.appendChild(h('tr', { cls: 'article-row' + (A.canonical[i] === i ? '' : ' is-copy'), data: { id: A.id[i] } }, [
        h('td', { cls: 'dates', text: when(A.date[i]) }),
        h('td', { text: outletName(A.outlet[i]) }), title, h('td', {}, [h('code', { text: A.id[i] })]), h('td', {}, [role(i)])
      ]));
    });
  }

  function pager(list, size, add) {
    var shown = 0;
    var more = h('button', { type: 'button', cls: 'more', on: { click: next } }, ['Show more']);
    app.appendChild(more);
    function next() {
      list.slice(shown, shown + size).forEach(add);
      shown = Math.min(list.length, shown + size);
      app.setAttribute('data-shown', shown);
      more.hidden = shown >= list.length;
    }
    next();
  }

  // ---- one duplicate group: lineage and diffs ------------------------------------------------
  function describe(i) {
    return [day(A.date[i]) || 'undated', outletName(A.outlet[i]) || 'no outlet', A.id[i]].join(' \u00b7 ');
  }

  function groupPage(id, only) {
    var g = groupById[id];
    if (!g) return missing('duplicate group ' + id);
    app.setAttribute('data-view', 'group');
    app.setAttribute('data-group', id);
    var o = g.origin, c = g.canonical;
    app.appendChild(h('h2', { text: A.title[c], cls: 'headline' }));
    var dl = h('dl', { cls: 'facts' });
    [['Group', String(g.id) + ' \u00b7 ' + g.order.length + ' articles'], ['Canonical', describe(c)], ['Origin', describe(o)],
      ['Changes', kindSummary(g)]].forEach(function (f) {
      dl.appendChild(h('dt', {}, [f[0]])); dl.appendChild(h('dd', { text: f[1] }));
    });
    if (A.story[c] >= 0 && storyById[A.story[c]]) {
      dl.appendChild(h('dt', {}, ['Story']));
      dl.appendChild(h('dd', {}, [h('a', { href: '#story=' + A.story[c], text: storyById[A.story[c]].headline })]));
    }
    app.appendChild(dl);
    app.appendChild(h('h3', {}, ['Copy tree (by date; each copy under the article it is closest to)']));
    app.appendChild(tree(g));
    app.appendChild(h('h3', {}, ['Each copy against the canonical article']));
    app.appendChild(h('p', { cls: 'legend' }, [h('span', { cls: 'cut' }, ['cut']), ' ', h('span', { cls: 'add' }, ['added']), ' ',
      h('span', { cls: 'chg' }, ['changed']), ' ', h('span', { cls: 'mov' }, ['moved']), ' (word by word; spacing ignored)']));
    var copies = g.order.map(function (i, k) { return k; }).filter(function (k) {
      return g.order[k] !== c && (!only || A.id[g.order[k]] === only);
    });
    if (only) app.appendChild(h('p', { cls: 'note' }, ['Only copy ', h('code', { text: only }), ' \u00b7 ',
      h('a', { href: '#group=' + g.id }, ['show every copy'])]));
    pager(copies, 10, function (k) { app.insertBefore(diffBlock(g, k), app.lastChild); });
  }

  function tree(g) {
    var kids = {}, kindOf = {};
    g.order.forEach(function (i, k) {
      kindOf[i] = g.kinds[k];
      if (g.parent[k] >= 0) (kids[g.parent[k]] = kids[g.parent[k]] || []).push(i);
    });
    var root = h('ul', { cls: 'tree' });
    var stack = [[g.origin, root]];
    while (stack.length) {
      var top = stack.pop(), i = top[0];
      var li = h('li', { data: { id: A.id[i] } }, [h('span', { cls: 'meta', text: describe(i) }), ' ',
        i === g.canonical ? h('span', { cls: 'title', text: A.title[i] })
          : h('a', { cls: 'title', href: '#group=' + g.id + '?copy=' + encodeURIComponent(A.id[i]), text: A.title[i] }),
        kindOf[i] && kindOf[i].length ? h('span', { cls: 'kinds', text: ' \u2014 ' + kindOf[i].join(', ') }) : null,
        i === g.canonical ? h('span', { cls: 'badge' }, ['canonical']) : null]);
      top[1].appendChild(li);
      if (kids[i]) {
        var ul = h('ul');
        li.appendChild(ul);
        for (var n = kids[i].length - 1; n >= 0; n--) stack.push([kids[i][n], ul]);
      }
    }
    return root;
  }

  function diffBlock(g, k) {
    var i = g.order[k], c = g.canonical, a = g.text, w = g.words[k] || [0, 0, 0, 0];
    var box = h('section', { cls: 'copy', data: { id: A.id[i] } });
    box.appendChild(h('h4', { text: describe(i) + ' \u2014 ' + g.kinds[k].join(', ') }));
    box.appendChild(h('p', { cls: 'meta' }, [w[0] + ' words cut, ' + w[1] + ' added, ' + w[2] + ' changed, ' + w[3] + ' moved']));
    var table = h('table', { cls: 'diff' }, [h('thead', {}, [h('tr', {}, [h('th', { text: 'canonical ' + A.id[c] }), h('th', { text: 'copy ' + A.id[i] })])])]);
    var tb = h('tbody');
    table.appendChild(tb);
    var same = A.title[i] === A.title[c];
    tb.appendChild(h('tr', { cls: same ? 'e title' : 'r title' }, [h('td', { text: A.title[c] }), h('td', { text: A.title[i] })]));
    blocks(a, g.diffs[k]).forEach(function (b) {
      if (b.same !== undefined) {
        tb.appendChild(h('tr', { cls: 'e' }, [longCell(b.same), longCell(b.same)]));
        return;
      }
      tb.appendChild(h('tr', { cls: 'x' }, [segments(b.left), segments(b.right)]));
    });
    box.appendChild(table);
    return box;
  }

  // Diff rows: a long unchanged run (over 8 words, or a paragraph break) is a row of its own; the changes
  // between two such runs share one row, marked inline on each side.
  function blocks(a, ops) {
    var out = [], cur = null;
    ops.forEach(function (op) {
      var tag = op[0], left = a.slice(op[1], op[2]);
      if (tag === 'e' && (left.trim().split(/\s+/).length > 8 || /\n\s*\n/.test(left))) {
        if (cur) out.push(cur);
        cur = null;
        out.push({ same: left });
        return;
      }
      cur = cur || { left: [], right: [] };
      if (tag === 'e') { cur.left.push(['', left]); cur.right.push(['', left]); }
      else if (tag === 'd') cur.left.push(['cut', left]);
      else if (tag === 'm') cur.left.push(['mov', left]);
      else if (tag === 'i') cur.right.push(['add', op[3]]);
      else if (tag === 'n') cur.right.push(['mov', op[3]]);
      else if (tag === 'p') { cur.left.push(['mov', left]); cur.right.push(['mov', op[3]]); }
      else { cur.left.push(['chg', left]); cur.right.push(['chg', op[3]]); }
    });
    if (cur) out.push(cur);
    return out;
  }

  function segments(parts) {
    var td = h('td');
    parts.forEach(function (p) {
      if (p[0]) td.appendChild(h('span', { cls: p[0], body: p[1] }));
      else put(td, p[1], true);
    });
    return td;
  }

  function longCell(text) {
    var td = h('td', { cls: 'same' });
    if (text.length <= 600) return put(td, text, true);
    put(td, text.slice(0, 240), true);
    var btn = h('button', { type: 'button', cls: 'expand' }, ['\u2026 ' + fmt(text.length - 480) + ' unchanged characters \u2026']);
    btn.addEventListener('click', function () { put(clear(td), text, true); });
    td.appendChild(btn);
    put(td, text.slice(-240), true);
    return td;
  }

  header();
  window.addEventListener('hashchange', route);
  route();
  document.documentElement.setAttribute('data-ready', String(Math.round(performance.now())));  // ms since navigation
})();
