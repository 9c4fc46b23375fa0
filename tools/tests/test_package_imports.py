"""Package.swift declares exactly what each target imports (tools/check_imports.py)."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

import pytest

import check_imports

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("swift") is None, reason="needs the Swift toolchain (swift package dump-package)")
def test_every_target_declares_what_it_imports():
    result = subprocess.run([sys.executable, str(REPO / "tools" / "check_imports.py"), str(REPO)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, "drift between Package.swift and the imports:\n" + result.stdout + result.stderr


def test_imports_are_read_as_swift_reads_them(tmp_path):
    (tmp_path / "A.swift").write_text(
        'import Foundation\n@testable import Serving\npublic import Keys\nimport struct Jobs.Job\n'
        'let script = """\nimport numpy\n"""\n// import Commented\n')
    assert check_imports.imported(tmp_path) == {"Serving", "Keys", "Jobs"}
