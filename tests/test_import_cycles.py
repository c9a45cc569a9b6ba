"""No import cycle between the app's parts or its modules, counting imports inside
functions too (scripts/import_cycles.py): the order of things stays readable, and no
import hides inside a function to dodge a cycle."""
import importlib.util
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "import_cycles.py"


def load():
    spec = importlib.util.spec_from_file_location("import_cycles", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_cycle_between_parts_nor_modules():
    ic = load()
    assert ic.cycles(ic.graph()) == []
    assert ic.cycles(ic.graph(by_module=True)) == []
    assert subprocess.run([sys.executable, str(SCRIPT)], capture_output=True).returncode == 0


def test_the_check_finds_a_cycle_when_there_is_one():
    ic = load()
    edges = ic.graph()
    assert "app.handbook" in edges["app.checklists"]  # the graph is the app's: checklists read handbook duties
    edges.setdefault("app.handbook", set()).add("app.checklists")
    assert any({"app.checklists", "app.handbook"} <= set(c) for c in ic.cycles(edges))


def test_a_function_level_import_counts(tmp_path):
    ic = load()
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from app.supplies.stock import below_minimum\n", encoding="utf-8")
    assert ic.imports(source, {"app.supplies.stock"}) == {"app.supplies.stock"}
