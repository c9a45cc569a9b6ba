"""The suite's shared machinery (tests/conftest.py) hands each test's app what the app
would have built for itself."""


def test_url_builders_shared_across_apps_are_werkzeugs(app):
    """The memoised URL builders are the functions werkzeug compiles for each rule."""
    from werkzeug.routing.rules import Rule

    original = Rule._compile_builder.original
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 80
    for rule in rules:
        for append_unknown in (False, True):
            assert rule._compile_builder(append_unknown).__code__ == original(rule, append_unknown).__code__, rule
