// The /docs page: one self-contained HTML file (no CDN, no framework) whose script fetches
// /api/openapi.json and renders it: methods by tag with a filter, their parameters (nested ones
// as dotted paths) and their answers. Text goes in through textContent only. The script and
// style are allowed by their hashes in the page's Content-Security-Policy.
import { createHash } from 'node:crypto';

const STYLE = `
:root { --fg: #1d2330; --muted: #5d6677; --line: #e2e5ea; --accent: #0b63ce; --bg: #f7f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: #fff; }
header { padding: 18px 28px; border-bottom: 1px solid var(--line); background: var(--bg); }
header h1 { margin: 0 0 4px; font-size: 20px; }
header a { color: var(--accent); }
main { display: grid; grid-template-columns: 280px 1fr; min-height: calc(100vh - 80px); }
nav { border-right: 1px solid var(--line); padding: 14px; position: sticky; top: 0; align-self: start; max-height: 100vh; overflow: auto; }
nav input { width: 100%; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; margin-bottom: 10px; }
nav h3 { margin: 12px 0 4px; font-size: 12px; text-transform: uppercase; color: var(--muted); }
nav a { display: block; padding: 2px 0; overflow-wrap: anywhere; color: var(--fg); text-decoration: none; font-family: ui-monospace, monospace; font-size: 12px; }
nav a:hover { color: var(--accent); }
#content { padding: 10px 28px 40px; max-width: 1100px; }
#intro p { margin: 6px 0; }
section.op { border: 1px solid var(--line); border-radius: 8px; margin: 18px 0; padding: 12px 16px; }
section.op h2 { font-size: 15px; margin: 0 0 4px; font-family: ui-monospace, monospace; }
.verb { display: inline-block; min-width: 44px; margin-right: 8px; padding: 1px 6px; border-radius: 4px; background: var(--accent); color: #fff; font-size: 12px; text-align: center; }
.kind { margin-left: 8px; font-size: 11px; padding: 1px 6px; border-radius: 10px; border: 1px solid var(--line); color: var(--muted); }
h4 { margin: 12px 0 4px; font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; border-bottom: 1px solid var(--line); padding: 4px 6px; vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
td.name { font-family: ui-monospace, monospace; white-space: nowrap; }
code { font-family: ui-monospace, monospace; background: var(--bg); padding: 0 3px; border-radius: 3px; }
.muted { color: var(--muted); }
`;

const SCRIPT = `
(function () {
  'use strict';
  var doc;
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (k === 'text') e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { if (c) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  // A small subset of Markdown: paragraphs, **bold** and \`code\`, built as nodes (never as HTML).
  function rich(text) {
    var p = el('p');
    text.split(/(\\*\\*[^*]+\\*\\*|\`[^\`]+\`)/).forEach(function (part) {
      if (/^\\*\\*.*\\*\\*$/.test(part)) p.appendChild(el('strong', { text: part.slice(2, -2) }));
      else if (/^\`.*\`$/.test(part)) p.appendChild(el('code', { text: part.slice(1, -1) }));
      else if (part) p.appendChild(document.createTextNode(part));
    });
    return p;
  }
  function paragraphs(text) { return (text || '').split(/\\n\\n+/).map(function (t) { return rich(t.replace(/\\n/g, ' ')); }); }
  function resolve(s) {
    var seen = 0;
    while (s && s.$ref && seen++ < 10) s = s.$ref.split('/').slice(1).reduce(function (o, k) { return o && o[k]; }, doc);
    return s || {};
  }
  function typeOf(s) {
    s = resolve(s);
    if (s.const !== undefined) return JSON.stringify(s.const);
    if (s.enum) return s.enum.map(function (v) { return JSON.stringify(v); }).join(' | ');
    if (s.oneOf) return s.oneOf.map(typeOf).join(' | ');
    if (s.type === 'array') return typeOf(s.items || {}) + '[]';
    return s.type ? String(s.type) : 'any';
  }
  // Rows of a schema's properties, nested objects and arrays of objects as dotted paths.
  function rows(s, prefix, depth, out) {
    s = resolve(s);
    if (s.allOf) s.allOf.forEach(function (x) { rows(x, prefix, depth, out); });
    var props = s.properties || {};
    var req = s.required || [];
    Object.keys(props).forEach(function (name) {
      var p = resolve(props[name]);
      var path = prefix + name;
      var notes = [p.description, p.default !== undefined ? 'default ' + JSON.stringify(p.default) : '', p.minimum !== undefined ? 'min ' + p.minimum : '', p.maxLength ? 'max length ' + p.maxLength : '']
        .filter(Boolean).join('; ');
      out.push([path, typeOf(p), req.indexOf(name) >= 0 ? 'yes' : '', notes]);
      if (depth < 4) {
        if (p.type === 'object' && p.properties) rows(p, path + '.', depth + 1, out);
        var items = p.type === 'array' ? resolve(p.items) : null;
        if (items && items.properties) rows(items, path + '[].', depth + 1, out);
      }
    });
    return out;
  }
  function table(head, data) {
    if (data.length === 0) return el('p', { class: 'muted', text: 'none' });
    return el('table', {}, [el('tr', {}, head.map(function (h) { return el('th', { text: h }); }))].concat(data.map(function (r) {
      return el('tr', {}, r.map(function (c, i) { return el('td', { text: c, class: i === 0 ? 'name' : '' }); }));
    })));
  }
  function operation(path, verb, op) {
    var id = (op.operationId || (verb + path)).replace(/[^A-Za-z0-9_-]/g, '_');
    var s = el('section', { class: 'op', id: id, 'data-search': (path + ' ' + (op.summary || '')).toLowerCase() }, [
      el('h2', {}, [el('span', { class: 'verb', text: verb.toUpperCase() }), path, op.operationId ? el('span', { class: 'kind', text: (op.tags || []).join(', ') }) : null]),
      el('div', {}, [op.summary || '']),
    ]);
    if (op.description) paragraphs(op.description).forEach(function (p) { s.appendChild(p); });
    var params = (op.parameters || []).map(resolve).map(function (p) { return [p.name, p.in, p.required ? 'yes' : '', p.description || '']; });
    if (params.length) { s.appendChild(el('h4', { text: 'Query and header parameters' })); s.appendChild(table(['name', 'in', 'required', 'notes'], params)); }
    var body = op.requestBody && op.requestBody.content;
    if (body) {
      var types = Object.keys(body);
      s.appendChild(el('h4', { text: 'Body (' + types.join(', ') + ')' }));
      s.appendChild(table(['parameter', 'type', 'required', 'notes'], rows(body[types[0]].schema, '', 0, [])));
    }
    s.appendChild(el('h4', { text: 'Answers' }));
    var answers = [];
    Object.keys(op.responses || {}).forEach(function (code) {
      var r = resolve(op.responses[code]);
      answers.push([code, (r.description || '').replace(/\\s+/g, ' ').replace(/\`/g, '')]);
    });
    s.appendChild(table(['status', 'meaning'], answers));
    var ok = op.responses && resolve(op.responses['200']);
    var json = ok && ok.content && (ok.content['application/json'] || ok.content[Object.keys(ok.content)[0]]);
    if (json && json.schema) {
      var fields = rows(json.schema, '', 0, []);
      if (fields.length) { s.appendChild(el('h4', { text: 'Success payload' })); s.appendChild(table(['key', 'type', 'always', 'notes'], fields)); }
    }
    return s;
  }
  function render() {
    document.title = doc.info.title;
    var intro = document.getElementById('intro');
    document.getElementById('title').textContent = doc.info.title + ' — ' + doc.info.version;
    paragraphs(doc.info.description).forEach(function (p) { intro.appendChild(p); });
    var groups = {};
    Object.keys(doc.paths).forEach(function (path) {
      var item = doc.paths[path];
      ['get', 'post'].forEach(function (verb) {
        if (!item[verb]) return;
        var tag = (item[verb].tags || ['other'])[0];
        (groups[tag] = groups[tag] || []).push([path, verb, item[verb]]);
      });
    });
    var nav = document.getElementById('methods');
    var content = document.getElementById('ops');
    Object.keys(groups).forEach(function (tag) {
      nav.appendChild(el('h3', { text: tag }));
      groups[tag].forEach(function (g) {
        var section = operation(g[0], g[1], g[2]);
        content.appendChild(section);
        nav.appendChild(el('a', { href: '#' + section.id, 'data-search': section.getAttribute('data-search'), text: g[0].replace('/api/v1.1/', '') }));
      });
    });
    document.getElementById('filter').addEventListener('input', function (e) {
      var q = e.target.value.toLowerCase();
      document.querySelectorAll('[data-search]').forEach(function (n) { n.style.display = n.getAttribute('data-search').indexOf(q) >= 0 ? '' : 'none'; });
    });
    if (location.hash) { var t = document.getElementById(location.hash.slice(1)); if (t) t.scrollIntoView(); }
  }
  fetch('/api/openapi.json').then(function (r) { return r.json(); }).then(function (d) { doc = d; render(); }, function (err) {
    document.getElementById('intro').textContent = 'Could not load /api/openapi.json: ' + err;
  });
})();
`;

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

export const DOCS_CSP = `default-src 'none'; script-src ${hash(SCRIPT)}; style-src ${hash(STYLE)}; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Herald API</title>
<link rel="alternate" type="application/vnd.oai.openapi+json" href="/api/openapi.json">
<style>${STYLE}</style>
</head>
<body>
<header><h1 id="title">Herald API</h1><div>The OpenAPI 3.1 document: <a href="/api/openapi.json">/api/openapi.json</a></div></header>
<main>
<nav><input id="filter" type="search" placeholder="Filter methods" aria-label="Filter methods"><div id="methods"></div></nav>
<div id="content"><div id="intro"></div><div id="ops"></div></div>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
