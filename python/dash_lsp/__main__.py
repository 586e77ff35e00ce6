"""`python -m dash_lsp ...` runs the binary with the same arguments (and stdio, for the server)."""

import os
import subprocess
import sys

from dash_lsp import find_dash_lsp_bin


def main() -> None:
    binary = find_dash_lsp_bin()
    if sys.platform == "win32":
        # No exec on Windows: run it and pass its exit status on.
        sys.exit(subprocess.run([binary, *sys.argv[1:]]).returncode)
    os.execv(binary, [binary, *sys.argv[1:]])


if __name__ == "__main__":
    main()
