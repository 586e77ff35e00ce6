"""dash-lsp: the language server and CLI that find what breaks when a Dash app is deployed.

The package carries the `dash-lsp` binary; `find_dash_lsp_bin()` says where pip put it."""

import os
import sys
import sysconfig

__all__ = ["find_dash_lsp_bin"]


def find_dash_lsp_bin() -> str:
    """The path of the `dash-lsp` binary this package installed."""
    exe = "dash-lsp" + (sysconfig.get_config_var("EXE") or "")
    candidates = [sysconfig.get_path("scripts")]
    # `pip install --user`: the user scheme's scripts folder.
    user_scheme = {"nt": "nt_user", "posix": "posix_user"}.get(os.name)
    if sys.platform == "darwin" and sys._framework:  # type: ignore[attr-defined]
        user_scheme = "osx_framework_user"
    if user_scheme and user_scheme in sysconfig.get_scheme_names():
        candidates.append(sysconfig.get_path("scripts", scheme=user_scheme))
    # `pip install --target`: `<target>/bin` beside the package.
    candidates.append(os.path.join(os.path.dirname(os.path.dirname(__file__)), "bin"))
    for folder in candidates:
        path = os.path.join(folder, exe)
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(f"dash-lsp binary not found in {candidates}")
