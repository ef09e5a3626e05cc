"""Issue 18: the section pool imports a section's module one project module a step, leaves first, so no
idle step carries a whole area's imports; a module that fails to import, a cycle, or a name that is not a
module never stops it."""
from __future__ import annotations

import importlib
import sys
import textwrap

import pytest

from screens.section_pool import SectionPool

PKG = "w18poolpkg"


@pytest.fixture
def package(tmp_path, monkeypatch):
    root = tmp_path / PKG
    (root / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "",
        "sub/__init__.py": "",
        # the "section": imports a package's module, a function from a module, a module by `from pkg import`,
        # a stdlib module, a broken module, and one end of a cycle
        "section.py": """
            import json
            from w18poolpkg.sub import leaf
            from w18poolpkg.mid import helper
            from w18poolpkg import broken
            from w18poolpkg.cyc_a import A
            import w18poolpkg.mid
            LOADED = True
        """,
        "mid.py": "from w18poolpkg.sub.leaf import VALUE\n\ndef helper():\n    return VALUE\n",
        "sub/leaf.py": "VALUE = '失物招领 \\u0000 😀'\n",
        "broken.py": "raise ImportError('a dependency that is not installed')\n",
        "cyc_a.py": "from w18poolpkg import cyc_b\nA = 1\n",
        "cyc_b.py": "from w18poolpkg import cyc_a\nB = 2\n",
    }
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield PKG
    for name in [m for m in sys.modules if m == PKG or m.startswith(PKG + ".")]:
        del sys.modules[name]


def test_one_module_a_step_leaves_first_and_failures_do_not_stop_it(package):
    pool = SectionPool(None, order=(), ours=(PKG,))
    steps = []
    for _ in range(50):
        before = {m for m in sys.modules if m.startswith(PKG)}
        leaf = pool._first_unloaded(f"{PKG}.section")
        if leaf is None:
            break
        try:
            importlib.import_module(leaf)
        except ImportError:
            pool._failed.add(leaf)   # what SectionPool._next does (it logs it)
        steps.append((leaf, {m for m in sys.modules if m.startswith(PKG)} - before))
    else:
        raise AssertionError(f"never ended: {steps[-5:]}")
    order = [leaf for leaf, _ in steps]
    assert order.index(f"{PKG}.sub.leaf") < order.index(f"{PKG}.mid"), "leaves first"
    assert f"{PKG}.broken" in order and f"{PKG}.broken" in pool._failed
    assert f"{PKG}.section" not in sys.modules, "the section itself is its own, last step"
    assert f"{PKG}.mid.helper" not in order, "a function is not a module"
    for leaf, new in steps:   # a step imports its own module (a cycle's partner comes with it, nothing else)
        assert new <= {leaf, f"{PKG}.cyc_a", f"{PKG}.cyc_b", f"{PKG}.sub", PKG}, (leaf, new)
    assert "json" not in order, "only the project's packages are split"
    with pytest.raises(ImportError):   # the section's own import still reports the broken dependency
        importlib.import_module(f"{PKG}.section")


def test_a_module_without_source_or_unparsable_is_one_step(package, tmp_path):
    (tmp_path / PKG / "bad_syntax.py").write_text("def (:\n", encoding="utf-8")
    pool = SectionPool(None, order=(), ours=(PKG,))
    assert pool._first_unloaded(f"{PKG}.bad_syntax") in (None, PKG)
    assert pool._first_unloaded("w18_no_such_module") is None
