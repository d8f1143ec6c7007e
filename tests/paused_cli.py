"""`python -m tests.paused_cli STAGE SECONDS ARGS…`: the backoffice command, holding still for SECONDS
once a progress line containing STAGE is out, so a crash test can kill it exactly there. The pause is
injected here: production code has no such seam."""

import sys
import time

from addin.cli.main import main
from addin.cli.progress import Progress


def pause_at(stage: str, seconds: float):
    def pause(line: str) -> None:
        if stage in line:
            time.sleep(seconds)

    return pause


if __name__ == "__main__":
    stage, seconds, *argv = sys.argv[1:]
    sys.exit(main(argv, Progress(sys.stderr, pause=pause_at(stage, float(seconds)))))
