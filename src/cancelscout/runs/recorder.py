"""Record each step into the bundle: artifacts first, then the chained step record.

Like pytest-playwright's ArtifactsRecorder, capture never hides the real failure: if a
screenshot or snapshot fails, the step is still recorded, with ``capture_error`` saying why.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError

from cancelscout.browser import snapshots as capture
from cancelscout.browser.runtime import discard_trace_working_files
from cancelscout.errors import first_line
from cancelscout.integrity.bundle import Artifact, EvidenceBundle, iso_ms, utc_now
from cancelscout.integrity.runlog import RunLog
from cancelscout.integrity.trace import sanitize_trace
from cancelscout.profiles.schema import Profile
from cancelscout.result import Blocked, Entry

StepCallback = Callable[[dict[str, Any]], None]


class StepRecorder:
    def __init__(
        self,
        bundle: EvidenceBundle,
        profile: Profile,
        on_step: StepCallback | None,
        *,
        redact: bool = True,
        trace: bool = True,
    ) -> None:
        self.bundle = bundle
        self.masks = list(profile.mask)
        self.redact = redact
        self.trace = trace
        # Personal data found while masking, kept in memory only, for the report's counts.
        self.redacted: dict[str, set[str]] = {}
        # What the profile's masks and the blanked fields covered, in memory only: the trace's
        # own DOM snapshots are scrubbed of it (no mask reaches them).
        self.covered: set[str] = set()
        self.on_step = on_step
        self.masked_elements = 0
        self.log = RunLog(
            bundle.root / "run.log",
            scrub=bundle.secrets.value,
            platform=profile.id,
            run_id=bundle.run_id,
        )
        self._tracing = False
        # What the run refused since the last step (set by the run: its network policy's).
        self.refusals: Callable[[], list[Blocked]] = list
        # A token equal while the page's DOM, URL, scroll and network have not changed (set by
        # the navigator; None: unknown). A step that only reads the page, right after a step
        # whose picture it would repeat, names that step's files instead of taking new ones.
        self.look: Callable[[Page], object | None] = lambda page: None
        self._last_look: tuple[object, int, list[Artifact]] | None = None

    @classmethod
    def start(
        cls,
        out_dir: Path,
        profile: Profile,
        on_step: StepCallback | None,
        *,
        redact: bool = True,
        trace: bool = True,
    ) -> StepRecorder:
        bundle = EvidenceBundle.create(out_dir, profile.id)
        recorder = cls(bundle, profile, on_step, redact=redact, trace=trace)
        recorder.log.info("run_started", bundle=str(recorder.bundle.root))
        return recorder

    @property
    def started(self) -> datetime:
        return self.bundle.started

    def _snap_unless_unchanged(
        self, page: Page, index: int, slug: str, reads_only: bool
    ) -> tuple[list[Artifact], str | None, int | None]:
        """The step's screenshot and DOM; or, for a reading step right after a step whose page
        has not changed since (the same look token before that step's snapshot, after it, and
        now), that step's files and its index."""
        before = self.look(page)
        last = self._last_look
        if (
            reads_only
            and before is not None
            and last is not None
            and last[:2] == (before, index - 1)
        ):
            return list(last[2]), None, last[1]
        artifacts, error = self._snap(page, index, slug)
        after = self.look(page) if before is not None else None
        steady = error is None and after is not None and after == before
        self._last_look = (after, index, artifacts) if steady else None
        return artifacts, error, None

    def _snap(self, page: Page, index: int, slug: str) -> tuple[list[Artifact], str | None]:
        artifacts: list[Artifact] = []
        try:
            png = capture.screenshot(page, self.masks, redact=self.redact, secret=self.secret)
            artifacts.append(
                self.bundle.write(
                    self.bundle.artifact_name("screenshots", index, slug, ".png"), png
                )
            )
            html, masked = capture.dom_snapshot(page, self.masks, self._seen(), self.covered)
            self.masked_elements += masked
            artifacts.append(
                self.bundle.write(self.bundle.artifact_name("dom", index, slug, ".html"), html)
            )
        except (PlaywrightError, OSError) as exc:
            return artifacts, first_line(str(exc)) or repr(exc)
        return artifacts, None

    def record(
        self,
        page: Page | None,
        action: str,
        label: str,
        *,
        outcome: str,
        route: str | None = None,
        locator: str | None = None,
        url_before: str | None = None,
        error: str | None = None,
        extra: list[Artifact] | None = None,
        fields: dict[str, Any] | None = None,
        reads_only: bool = False,
    ) -> dict[str, Any]:
        """Record a step: its screenshot and DOM (or ``extra`` artifacts), then the chained
        record. ``reads_only``: nothing was done to the page since the last step (no click,
        hover, scroll or navigation), so an unchanged page need not be photographed again."""
        index = self.bundle.next_index
        artifacts: list[Artifact] = list(extra or [])
        capture_error = None
        url_after = title = None
        unchanged_since = None
        if page is not None and not page.is_closed():
            if extra is None:
                shots, capture_error, unchanged_since = self._snap_unless_unchanged(
                    page, index, f"{action}-{label}", reads_only
                )
                artifacts.extend(shots)
            else:
                self._last_look = None
            url_after = page.url
            try:
                title = page.title()
            except PlaywrightError:
                title = None
        record: dict[str, Any] = {
            "action": action,
            "label": label,
            "route": route,
            "locator": locator,
            "url_before": url_before,
            "url_after": url_after,
            "title": title,
            "outcome": outcome,
            "error": error,
            "artifacts": [a.as_record() for a in artifacts],
            **(fields or {}),
        }
        if capture_error:
            record["capture_error"] = capture_error
        if unchanged_since is not None:
            record["unchanged_since"] = unchanged_since
        refused = self.refusals()
        if refused:
            record["blocked"] = [b.model_dump(mode="json") for b in refused]
        written = self.bundle.append_step(record)
        self.log.info(
            "step",
            index=index,
            action=action,
            label=label,
            outcome=outcome,
            url=url_after,
            **({"error": error} if error else {}),
        )
        if self.on_step is not None:
            self.on_step(written)
        return written

    def capture_entry(
        self, page: Page, box: dict[str, float] | None, entry: Entry
    ) -> dict[str, str]:
        """Raw, full-page, crop and annotated screenshots of the entry, then its step record.

        The browser photographs the page twice (raw, annotated): the crop is cut from the raw
        picture, and a page that fits its viewport has no more to show in full (the raw file
        is named for both), so no two files of the bundle hold the same picture."""
        index = self.bundle.next_index
        names: dict[str, str] = {}
        artifacts: list[Artifact] = []
        capture_error = None
        size = page.viewport_size or {"width": 1280, "height": 900}
        viewport = (size["width"], size["height"])

        def keep(kind: str, take: Callable[[], bytes]) -> bytes | None:
            nonlocal capture_error
            slug = "entry" if kind == "entry" else f"entry-{kind}"
            try:
                data = take()
                art = self.bundle.write(
                    self.bundle.artifact_name("screenshots", index, slug, ".png"), data
                )
            except (PlaywrightError, OSError) as exc:
                capture_error = first_line(str(exc))
                return None
            artifacts.append(art)
            names[kind] = art.name
            return data

        def shot(full_page: bool = False) -> bytes:
            return capture.screenshot(
                page, self.masks, redact=self.redact, secret=self.secret, full_page=full_page
            )

        raw = keep("entry", shot)
        try:
            fits = raw is not None and capture.fits_viewport(page)
        except PlaywrightError:
            fits = False
        if fits:
            names["full"] = names["entry"]
        else:
            keep("full", lambda: shot(full_page=True))
        if box is not None:
            if raw is not None:
                clip = capture.crop_box(box, viewport)
                keep("crop", lambda: capture.crop_png(raw, clip, viewport))
            caption = (
                f"cancelscout · {self.bundle.platform} · 入口 entry: {entry.text}\n"
                f"{entry.page_url}\n{iso_ms(utc_now())}"
            )
            keep(
                "annotated",
                lambda: capture.annotated_screenshot(
                    page, box, caption, self.masks, redact=self.redact, secret=self.secret
                ),
            )
        try:
            html, masked = capture.dom_snapshot(page, self.masks, self._seen(), self.covered)
            self.masked_elements += masked
            artifacts.append(
                self.bundle.write(self.bundle.artifact_name("dom", index, "entry", ".html"), html)
            )
        except (PlaywrightError, OSError) as exc:
            capture_error = first_line(str(exc))
        fields: dict[str, Any] = {"entry": entry.model_dump(exclude_none=True), "box": box}
        if capture_error:
            fields["capture_error"] = capture_error
        self.record(
            page,
            "entry",
            entry.text,
            outcome="found",
            locator=entry.locator,
            extra=artifacts,
            fields=fields,
        )
        return names

    @property
    def secret(self) -> str | None:
        """The pattern of the session's secrets, marked on the page to be masked."""
        return self.bundle.secrets.pattern()

    def _seen(self) -> dict[str, set[str]] | None:
        return self.redacted if self.redact else None

    def redaction_counts(self) -> dict[str, int]:
        return {kind: len(values) for kind, values in sorted(self.redacted.items())}

    @property
    def _trace_name(self) -> str:
        return f"cancelscout-{self.bundle.run_id}"

    def start_trace(self, context: BrowserContext) -> None:
        if not self.trace:
            return
        # The trace's screencast frames cannot be masked, so they are left out when redacting.
        context.tracing.start(
            name=self._trace_name, screenshots=not self.redact, snapshots=True, sources=False
        )
        self._tracing = True

    def stop_trace(self, context: BrowserContext, secrets: list[str]) -> None:
        """Save the sanitised trace as trace.zip; the raw trace never touches the bundle."""
        if not self._tracing:
            return
        self._tracing = False
        try:
            with tempfile.TemporaryDirectory(prefix="cancelscout-trace-") as tmp:
                raw = Path(tmp) / "raw.zip"
                context.tracing.stop(path=str(raw))
                sanitize_trace(
                    raw,
                    self.bundle.root / "trace.zip",
                    secrets,
                    redact=self.redact,
                    covered=sorted(self.covered),
                )
        finally:
            discard_trace_working_files(self._trace_name)
