"""Prints the top-level standard-library module names of the running Python, one a line.

3.10+: `sys.stdlib_module_names`. Older: the built-in modules plus what `pkgutil` finds in the
standard library folders (not site-packages): the same set `stdlib_module_names` documents.
Run under each Python 3.8-3.13 and merge: see gen/README.md.
"""
import pkgutil
import sys
import sysconfig

if hasattr(sys, "stdlib_module_names"):
    names = set(sys.stdlib_module_names)
else:
    paths = [sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"]]
    dynload = [p for p in sys.path if p.endswith("lib-dynload")]
    names = set(sys.builtin_module_names)
    names.update(m.name for m in pkgutil.iter_modules(paths + dynload))
    names.discard("site-packages")
for name in sorted(n for n in names if not n.startswith("_")):
    print(name)
