"""What the grader's modules share: the error that stops a grade, the tree
the grader runs from, and loading a Python file that is not on sys.path.
"""
import importlib.machinery
import importlib.util
import os
from pathlib import Path

# The tree holding scripts/grade: Keel's source tree, a student tree, or
# a student tree's .grader/ (this file is scripts/keelgrade/common.py).
ROOT = Path(__file__).resolve().parent.parent.parent


class GradeError(Exception):
    """Something that stops the grading of one submission, or of all (status 2)."""

    def __init__(self, message, status=3):
        super().__init__(message)
        self.status = status


def load_source(name, path):
    """The Python file @path (it may lack the .py suffix) as module @name."""
    loader = importlib.machinery.SourceFileLoader(name, str(path))
    spec = importlib.util.spec_from_loader(name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def set_mode(path, mode):
    """Make @path 0755 if @mode has an execute bit, else 0644."""
    os.chmod(path, 0o755 if mode & 0o111 else 0o644)
