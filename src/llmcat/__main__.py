"""The ``llmcat`` command and ``python -m llmcat``: the guard around the whole program.

- Ctrl-C at any moment exits 130 without a traceback. Until the CLI is imported (Typer and click take
  most of start-up), a SIGINT handler ends the process at once; after that, KeyboardInterrupt is raised
  as usual so commands can stop cleanly, and whatever escapes them is caught here.
- Output never fails on an encoding: text a stream cannot encode is written as escapes.
- An unexpected exception (a bug) prints one line and exits 70 (``ExitCode.INTERNAL``);
  ``LLMCAT_DEBUG=1`` prints the traceback too.

Nothing is imported before the SIGINT handler is in place but what Python has already loaded (``_signal``
rather than ``signal``, which imports enum): the window left is Python's own start-up.
"""

from __future__ import annotations

import _signal  # type: ignore[import-not-found]  # not `signal`: it imports enum, ~10 ms
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import FrameType


def _interrupted_at_start(_signum: int, _frame: FrameType | None) -> None:
    os._exit(130)  # nothing has been written yet: end now, whatever is being imported


def _quiet_from_now_on() -> None:
    try:  # noqa: SIM105 (contextlib is not imported yet: start-up time)
        _signal.signal(_signal.SIGINT, _interrupted_at_start)
    except ValueError:  # not the main thread
        pass


def _tolerant_streams() -> None:
    # 'backslashreplace' turns what the encoding cannot carry (any non-ASCII text on an ASCII stream,
    # a lone surrogate from a file name that is not UTF-8) into visible escapes instead of an error.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:  # noqa: SIM105 (as above)
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass


def main() -> None:
    """Run the CLI with the top-level guard; never returns (exits with the command's code)."""
    try:
        previous = _signal.signal(_signal.SIGINT, _interrupted_at_start)
    except ValueError:  # not the main thread (embedded use): leave signals alone
        previous = None
    try:
        _tolerant_streams()
        from llmcat.cli import app_for

        app = app_for(sys.argv[1:])  # the Typer app with the commands this run may need
    finally:
        if previous is not None:
            _signal.signal(_signal.SIGINT, _signal.default_int_handler)
    run(app)


def run(app: object) -> None:
    """Call the Typer ``app`` and turn whatever escapes it into a documented exit code."""
    from llmcat.errors import ExitCode, debug_enabled, internal_error_line

    code: int | str | None
    try:
        try:
            app()  # type: ignore[operator]
            code = ExitCode.OK
        except SystemExit as e:  # the normal way out
            code = e.code
        except KeyboardInterrupt:
            code = ExitCode.INTERRUPTED
        except Exception as e:  # the last line of defence against a bug
            _quiet_from_now_on()
            if debug_enabled():
                import traceback

                traceback.print_exception(e, file=sys.stderr)
            try:
                sys.stderr.write(internal_error_line(e) + "\n")
                sys.stderr.flush()
            except (OSError, ValueError):
                pass
            code = ExitCode.INTERNAL
        # From here on a Ctrl-C (e.g. while the interpreter flushes and shuts down) ends the process at once.
        _quiet_from_now_on()
    except KeyboardInterrupt:  # one that landed while the outcome above was being handled
        _quiet_from_now_on()
        code = ExitCode.INTERRUPTED
    sys.exit(code)


if __name__ == "__main__":
    main()
