"""The one macro for a button that posts (templates/macros/post.html): the form every
such button on the pages is made of."""
from flask import render_template_string

MACRO = '{% from "macros/post.html" import post_button %}'


def test_a_post_button_is_a_form_with_the_token_its_fields_and_its_confirmation(app):
    with app.test_request_context():
        html = render_template_string(MACRO + """{{ post_button("/x/1", "删除", confirm="删除“<甲>”？",
            fields={"dir": "up"}, class_="link danger", attrs={"aria-label": "删除", "disabled": none}) }}""")
        assert html.startswith('<form method="post" action="/x/1" class="inline" data-confirm="删除“&lt;甲&gt;”？">')
        assert 'name="csrf_token" value="' in html and '<input type="hidden" name="dir" value="up">' in html
        assert '<button type="submit" class="link danger" aria-label="删除">删除</button></form>' in html
        plain = render_template_string(MACRO + '{{ post_button("/y", "撤回", class_=none, attrs={"disabled": "disabled"}) }}')
        assert '<button type="submit" disabled="disabled">撤回</button>' in plain and "data-confirm" not in plain
