"""The package's stages import one way: text → nlp → graph → explore → cli.

A module may import from its own stage or a lower one, never a higher one;
`kg.errors`, `kg.paths`, `kg.atomic`, `kg.lexicon` and `kg.progress` are the
shared base every stage may use. The package root (`kg.load`) is the façade
over all stages and imports them only inside its functions.
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "kg"
STAGES = {"text": 1, "nlp": 2, "graph": 3, "explore": 4, "cli": 5}


def stage(module: str) -> int:
    parts = module.split(".")
    return STAGES.get(parts[1], 0) if len(parts) > 1 else 0


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def kg_imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "kg":
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] == "kg":
                yield node.lineno, node.module
                for alias in node.names:  # from kg import cypher → kg.cypher
                    if node.module == "kg" or node.module.count(".") == 1:
                        yield node.lineno, f"{node.module}.{alias.name}"


def test_every_module_belongs_to_a_stage_or_the_base():
    base = {"kg", "kg.errors", "kg.paths", "kg.atomic", "kg.lexicon", "kg.progress"}
    loose = [module_name(p) for p in PACKAGE.glob("*.py") if module_name(p) not in base]
    assert loose == []


def test_imports_point_from_higher_stages_to_lower_ones():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        me = module_name(path)
        if me == "kg":
            continue  # the façade
        for line, target in kg_imports(path):
            if stage(target) > stage(me):
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} ({me}) imports {target}")
    assert wrong == []


def test_the_checker_sees_an_upward_import(tmp_path):
    # The test above must be able to fail: an nlp module importing the CLI is caught.
    assert stage("kg.cli.graph") > stage("kg.nlp.extract")
    src = tmp_path / "m.py"
    src.write_text("from kg.graph import store\nimport kg.explore.viz\n")
    assert [t for _, t in kg_imports(src)] == ["kg.graph", "kg.graph.store", "kg.explore.viz"]
