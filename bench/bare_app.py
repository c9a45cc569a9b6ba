"""The baseline of bench/pages.py: a bare Flask + Jinja page of 50 table rows, with no
database, login or session, served by the same gunicorn settings as the app."""
from flask import Flask, render_template
from jinja2 import DictLoader

app = Flask(__name__)

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>基准页面</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><header><nav>{% for n in nav %}<a href="/{{ loop.index }}">{{ n }}</a> {% endfor %}</nav></header>
<main><h1>基准页面</h1>
<table><thead><tr><th>#</th><th>名称</th><th>数量</th><th>备注</th></tr></thead><tbody>
{% for r in rows %}<tr><td>{{ r.id }}</td><td>{{ r.name }}</td><td>{{ r.qty }}</td><td>{{ r.note|e }}</td></tr>
{% endfor %}</tbody></table></main></body></html>"""

ROWS = [{"id": i, "name": f"物品{i:02d}", "qty": i * 3, "note": "备注<b>文字</b>"} for i in range(1, 51)]
NAV = ["岗位手册", "点检表", "培训档案", "物资发放", "员工", "管理"]


app.jinja_loader = DictLoader({"page.html": PAGE})  # compiled once, cached, as the app's templates are


@app.get("/")
def index():
    return render_template("page.html", rows=ROWS, nav=NAV)
