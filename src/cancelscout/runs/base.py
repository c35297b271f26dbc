"""The one skeleton of a recorded run: open the context, run the body, close the bundle.

Whatever ends a run — its body returning, a site or browser failure, Ctrl-C or SIGTERM, a full
disk, a bug — the evidence bundle is closed (trace, report, manifest) and the result says how
it ended. The kinds of run (locate, discovery, capture) only write :meth:`RecordedRun._body`
and the few hooks below; none copies this.
"""

from __future__ import annotations

import contextlib
import time
from typing import Generic, TypeVar

from playwright.sync_api import BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError

from cancelscout.browser.policy import NetworkPolicy, allowed_requests
from cancelscout.browser.runtime import Runtime
from cancelscout.cookies_import import read_browser_cookies, read_cookies_txt
from cancelscout.errors import (
    CancelscoutError,
    LoginRequiredError,
    NeedsHumanError,
    SiteError,
    UsageError,
    first_line,
)
from cancelscout.integrity.trace import secrets_of_storage_state
from cancelscout.profiles.schema import Profile
from cancelscout.result import CaptureResult, LocateResult
from cancelscout.runs.finish import close_run_bundle
from cancelscout.runs.network_record import NetworkRecording
from cancelscout.runs.options import RunOptions, login_command
from cancelscout.runs.recorder import StepRecorder
from cancelscout.session import read_session

R = TypeVar("R", LocateResult, CaptureResult)

_STATUS_OF_ERROR: dict[type, str] = {
    LoginRequiredError: "login_required",
    NeedsHumanError: "needs_human",
}


class RecordedRun(Generic[R]):
    """One recorded run in the user's session, its bundle closed whatever happens."""

    # A usage error found mid-run (e.g. nothing to capture) is the caller's mistake, not a
    # finding: kinds that can meet one re-raise it once the bundle is closed.
    raises_usage_errors = False

    def __init__(self, profile: Profile, options: RunOptions, runtime: Runtime) -> None:
        self.profile = profile.at(options.base_url)
        self.options = options
        self.runtime = runtime
        self.recorder = StepRecorder.start(
            options.out_dir,
            self.profile,
            options.on_step,
            redact=options.redact,
            trace=options.trace,
        )
        # Read-only and on the platform's hosts, for every request of the run's context.
        self.policy = NetworkPolicy(
            self.profile.hosts(),
            allow_requests=allowed_requests(self.profile),
            step=lambda: self.recorder.bundle.next_index,
        )
        self.recorder.refusals = self.policy.take_new  # each step record lists its refusals
        # What the browser loaded, kept as network.warc.gz beside the trace (not in the user's
        # own browser: that context is theirs).
        self.network = NetworkRecording(options.trace and not runtime.attached)
        self.result: R = self._new_result(str(self.recorder.bundle.root))

    # -- what a kind of run provides ------------------------------------------------------------
    def _new_result(self, bundle: str) -> R:
        raise NotImplementedError

    def _body(self, context: BrowserContext) -> None:
        raise NotImplementedError

    def _conclude(self) -> None:
        """Fill the result's measured fields once the body has ended, however it ended."""

    def _page(self) -> Page | None:
        """The page a failure is recorded on (None: the stop step has no page artifacts)."""
        return None

    def _partial_result(self) -> R:
        """The result to report when the body failed half-way (what it had found so far)."""
        return self.result

    # -- the skeleton ---------------------------------------------------------------------------
    def run(self) -> R:
        started = time.monotonic()
        context: BrowserContext | None = None
        secrets: list[str] = []
        reraise: BaseException | None = None
        write_error: OSError | None = None
        try:
            context, secrets = self._open_context()
            self.recorder.start_trace(context)
            self._body(context)
        except OSError as exc:
            # The evidence folder cannot be written (disk full, folder removed): nothing more
            # can be recorded, and a run without its evidence is worth nothing.
            write_error = exc
        except UsageError as exc:
            if self.raises_usage_errors:
                reraise = exc
            self._fail(exc)
        except CancelscoutError as exc:
            self._fail(exc)
        except PlaywrightError as exc:
            self._fail(SiteError(f"browser error: {first_line(str(exc))}"))
        except KeyboardInterrupt:
            # Ctrl-C, or SIGTERM turned into one by the CLI: close the bundle and report it
            # as a result (status interrupted), so the caller still learns where it is.
            self._fail(SiteError("interrupted before the run finished"), status="interrupted")
        except Exception as exc:
            # A bug: close the bundle so nothing recorded is lost, then let it surface.
            reraise = exc
            self._fail(SiteError(f"internal error: {exc!r}"))
        finally:
            self.result.duration_s = round(time.monotonic() - started, 3)
            self.result.blocked = list(self.policy.blocked)
            self.result.redacted = self.recorder.redaction_counts()
            self._conclude()
            if self.runtime.attached:  # close this run's tabs; the user's context stays open
                for page in self.policy.own_pages:
                    with contextlib.suppress(PlaywrightError):
                        page.close()
                context = None
            close_run_bundle(
                self.recorder,
                context,
                self.result,
                secrets=secrets,
                options=self.options,
                browser_version=self.runtime.version(),
                write_error=write_error,
                network=self.network,
            )
        if reraise is not None:
            raise reraise
        return self.result

    def _open_context(self) -> tuple[BrowserContext, list[str]]:
        storage = None
        secrets: list[str] = []
        if self.options.session_file is not None:
            storage = read_session(self.options.session_file)
        elif self.options.cookies_file is not None:  # in memory only, the platform's hosts only
            storage = read_cookies_txt(self.options.cookies_file, self.profile.hosts())
        elif self.options.cookies_from_browser is not None:
            storage = read_browser_cookies(self.options.cookies_from_browser, self.profile.hosts())
        if storage is not None:
            secrets = secrets_of_storage_state(storage)
        context = self.runtime.new_context(
            storage_state=storage,
            user_data_dir=self.options.user_data_dir,
            **self.network.context_options(),
        )
        context.set_default_timeout(self.options.timeout_s * 1000)
        if self.runtime.attached:
            # The user's own browser: the policy judges this run's tabs only, and no trace is
            # kept (a context's trace would record the user's other tabs too).
            self.policy.install_on_pages()
            self.recorder.trace = False
            self.recorder.log.info("attached", browser=self.runtime.version(), trace=False)
        else:
            self.policy.install(context)
        # A persistent profile or the user's browser brings its own cookies: those of the
        # platform's hosts are secrets as well (not every site's: the user's browser holds
        # thousands, and short common values would blank ordinary text).
        urls = [
            f"{scheme}://{host}/" for host in self.profile.hosts() for scheme in ("https", "http")
        ]
        secrets.extend(str(c.get("value", "")) for c in context.cookies(urls))
        self.recorder.bundle.secrets.add(secrets)  # out of every file and the log from now on
        return context, secrets

    def _fail(self, exc: CancelscoutError, status: str | None = None) -> None:
        self.result = self._partial_result()
        status = status or _STATUS_OF_ERROR.get(type(exc), "error")
        self.result.status = status  # type: ignore[assignment]
        self.result.error = exc.message
        if status == "login_required":
            self.result.login_command = self.login_command()
        page = self._page()
        try:
            self.recorder.record(page, "stop", status, outcome=status, error=exc.message)
        except OSError:
            return  # the bundle cannot be written; run() reports that
        except (PlaywrightError, KeyboardInterrupt):
            # The browser is gone (crash, kill): record the stop without page artifacts.
            self.recorder.record(None, "stop", status, outcome=status, error=exc.message)

    def login_command(self) -> str:
        return login_command(self.profile.id, self.options.base_url)
