"""Start-up of a serving process: compile what every request would otherwise compile on
first use, then keep the cyclic garbage collector off the long-lived heap.

Each full collection walks every tracked object of the process. Without this, the
templates, mappers and compiled statements made during the first requests (some hundred
thousand objects) are walked again and again, and a request that happens to trigger a
full collection pays tens of milliseconds for it (the mean of a supervisor's workspace
was 20 % above its median). `gc.freeze()` moves what exists into a permanent generation
the collector skips; it is done once at start-up after compiling, and once more after
the first requests of each process (SQLAlchemy's statement cache, Jinja's loaded macros),
when what is alive is the process's own machinery, not a request's data.
"""
import gc

from sqlalchemy.orm import configure_mappers

REFREEZE_AFTER = (100, 1000)  # requests served by this process


def compile_templates(app) -> int:
    """Every Jinja template of the app compiled and cached, as its first render would."""
    env = app.jinja_env
    names = [n for n in env.list_templates() if n.endswith((".html", ".txt", ".xml", ".svg", ".css"))]
    for name in names:
        env.get_template(name)
    return len(names)


def prepare(app) -> None:
    """Compile templates and mappers, then freeze what exists (the serving process's
    start-up; tests and commands skip it)."""
    compile_templates(app)
    configure_mappers()
    gc.collect()
    gc.freeze()
    served = [0]

    @app.teardown_request
    def _refreeze(_exc=None):
        served[0] += 1
        if served[0] in REFREEZE_AFTER:
            gc.collect()
            gc.freeze()
