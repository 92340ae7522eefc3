"""One self-contained HTML page (inline CSS and JS, no external assets): a sortable, filterable table."""

from __future__ import annotations

import re
from html import escape
from typing import Any

from .common import as_date, fold, german_date, image_text, person_text, sorted_cities

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5rem;color:#1b1b1b}
h1{font-size:1.4rem;margin:0 0 .3rem}
.meta{color:#555;margin:0 0 1rem}
#filter{font:inherit;padding:.35rem .5rem;width:min(32rem,100%);margin-bottom:.8rem}
table{border-collapse:collapse;width:100%;table-layout:fixed}
th,td{border-bottom:1px solid #ddd;padding:.4rem .5rem;vertical-align:top;text-align:left}
th{background:#1f4e78;color:#fff;cursor:pointer;user-select:none;position:sticky;top:0;overflow-wrap:anywhere}
td{overflow-wrap:anywhere}
th[aria-sort=ascending]::after{content:" \\25B2"}
th[aria-sort=descending]::after{content:" \\25BC"}
td.date{white-space:nowrap}
td.lead{max-width:32rem}
ul.imgs{margin:0;padding-left:1.1rem}
.credit{color:#555;font-size:.9em}
.src{color:#555;font-size:.85em;word-break:break-all}
.gone{color:#9a3412;font-size:.85em}
tr:nth-child(even) td{background:#f6f8fa}
"""

# Sorting compares the cells' data-sort values with German collation; empty values always sort last.
_JS = """
(function(){
  var table=document.getElementById('articles'), body=table.tBodies[0];
  var heads=table.tHead.rows[0].cells, input=document.getElementById('filter');
  var count=document.getElementById('count'), total=body.rows.length;
  var coll=new Intl.Collator('de',{sensitivity:'base',numeric:true});
  function key(row,i){var c=row.cells[i];
    return c.hasAttribute('data-sort')?c.getAttribute('data-sort'):c.textContent.trim();}
  Array.prototype.forEach.call(heads,function(th,i){
    th.addEventListener('keydown',function(e){
      if(e.key==='Enter'||e.key===' '){e.preventDefault();th.click();}
    });
    th.addEventListener('click',function(){
      var asc=th.getAttribute('aria-sort')!=='ascending';
      Array.prototype.forEach.call(heads,function(h){h.removeAttribute('aria-sort');});
      th.setAttribute('aria-sort',asc?'ascending':'descending');
      // keys read once; rows reordered while the body is detached, so the browser restyles once
      var keyed=Array.prototype.map.call(body.rows,function(r){return [key(r,i),r];});
      table.removeChild(body);
      keyed.sort(function(a,b){
        var x=a[0],y=b[0];
        if(!x||!y){return x===y?0:(x?-1:1);}
        var r=coll.compare(x,y);return asc?r:-r;
      });
      var frag=document.createDocumentFragment();
      keyed.forEach(function(k){frag.appendChild(k[1]);});
      body.appendChild(frag);
      table.appendChild(body);
    });
  });
  function fold(s){
    return s.normalize('NFKD').replace(/[\\u0300-\\u036f]/g,'').toLowerCase().replace(/\\u00df/g,'ss');}
  input.addEventListener('input',function(){
    var terms=fold(input.value).split(/\\s+/).filter(Boolean), shown=0;
    Array.prototype.forEach.call(body.rows,function(r){
      var text=r.getAttribute('data-text'), ok=terms.every(function(t){return text.indexOf(t)>=0;});
      r.hidden=!ok; if(ok){shown++;}
    });
    count.textContent=shown+' of '+total;
  });
})();
"""

_WIDTHS = ("7.5em", "24%", "10%", "16%", "22%", "20%", "7.5em")
_SAFE_URL = re.compile(r"https?://", re.I)
_HEADERS = ("Published", "Title", "Partner cities", "People", "Lead", "Images (caption, credit)",
            "Archived copy")


def _date_cell(value: Any) -> str:
    d = as_date(value)
    return f'<td class="date" data-sort="{d.isoformat() if d else ""}">{german_date(d) if d else ""}</td>'


def _images(images: list[dict[str, Any]]) -> str:
    items = []
    for i in images:
        caption = escape((i.get("caption") or i.get("alt") or "").strip())
        credit = (i.get("credit") or "").strip()
        if caption or credit:
            tail = f' <span class="credit">Foto: {escape(credit)}</span>' if credit else ""
            items.append(f"<li>{caption}{tail}</li>")
    return f'<ul class="imgs">{"".join(items)}</ul>' if items else ""


def _row(rec: dict[str, Any]) -> str:
    url = rec.get("canonical_url") or rec.get("url") or ""
    title = rec.get("title") or "(untitled)"
    cities = sorted_cities(rec.get("partner_cities") or [])
    people = [person_text(p) for p in rec.get("people") or []]
    images = rec.get("images") or []
    captions = " ".join(image_text(i) for i in images)
    # only web links become clickable: a stored "javascript:" URL must not run in a reporter's browser
    link = f'<a href="{escape(url)}">{escape(title)}</a>' if _SAFE_URL.match(url) else escape(title)
    searchable = " ".join([title, rec.get("lead") or "", " ".join(cities), " ".join(people), url, captions])
    gone = as_date(rec.get("gone_since"))
    note = f'<div class="gone">no longer on the site since {german_date(gone)}</div>' if gone else ""
    cells = [
        _date_cell(rec.get("published")),
        f'<td data-sort="{escape(title)}">{link}<div class="src">{escape(url)}</div>{note}</td>',
        f"<td>{escape(', '.join(cities))}</td>",
        f"<td>{'<br>'.join(escape(p) for p in people)}</td>",
        f'<td class="lead">{escape(rec.get("lead") or "")}</td>',
        f'<td data-sort="{escape(captions)}">{_images(images)}</td>',
        _date_cell(rec.get("archived_at")),
    ]
    return f'<tr data-text="{escape(fold(searchable))}">{"".join(cells)}</tr>'


def render_html(records: list[dict[str, Any]], meta: dict[str, Any]) -> bytes:
    title = meta.get("title") or "Articles"
    n = len(records)
    head = "".join(f'<th scope="col" tabindex="0">{escape(h)}</th>' for h in _HEADERS)
    # fixed column widths: the browser lays out a long table without measuring every cell first
    cols = "".join(f'<col style="width:{w}">' for w in _WIDTHS)
    rows = "\n".join(_row(r) for r in records)
    page = f"""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="partner-archive">
<title>{escape(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<h1>{escape(title)}</h1>
<p class="meta">Exported {german_date(meta.get("generated"))}. Click a column header to sort; type to filter.
Showing <span id="count">{n} of {n}</span> articles.</p>
<input id="filter" type="search" placeholder="Filter: words in title, people, cities, lead, captions …"
 aria-label="Filter articles">
<table id="articles">
<colgroup>{cols}</colgroup>
<thead><tr>{head}</tr></thead>
<tbody>
{rows}
</tbody>
</table>
<script>{_JS}</script>
</body>
</html>
"""
    return page.encode("utf-8")
