"""The suite's shared machinery (tests/conftest.py) hands each test's app what the app
would have built for itself."""
from jinja2 import Environment, FileSystemLoader

from tests.conftest import SharedTemplateCode


def test_url_builders_shared_across_apps_are_werkzeugs(app):
    """The memoised URL builders are the functions werkzeug compiles for each rule."""
    from werkzeug.routing.rules import Rule

    original = Rule._compile_builder.original
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 80
    for rule in rules:
        for append_unknown in (False, True):
            assert rule._compile_builder(append_unknown).__code__ == original(rule, append_unknown).__code__, rule


def test_shared_template_code_follows_an_edited_template(tmp_path):
    cache = SharedTemplateCode()
    page = tmp_path / "page.html"
    page.write_text("a {{ x }}", encoding="utf-8")
    assert Environment(loader=FileSystemLoader(tmp_path), bytecode_cache=cache).get_template("page.html").render(x=1) == "a 1"
    assert cache.code  # compiled once, kept
    assert Environment(loader=FileSystemLoader(tmp_path), bytecode_cache=cache).get_template("page.html").render(x=2) == "a 2"
    page.write_text("b {{ x }}", encoding="utf-8")
    assert Environment(loader=FileSystemLoader(tmp_path), bytecode_cache=cache).get_template("page.html").render(x=3) == "b 3"
