"""Callbacks of the run form: upload, scenario choice, edits, the Run button, progress.

A user's mistake (a malformed upload, a bad date in the timeline, too many
queued runs) is shown in the page as the command line's one-line ``error: ...``
and the server carries on. Values that only a forged request could send (a job id
that is not one) raise :class:`~plazasim.dashboard.runstore.BadInputError`, which the
server answers with 400.
"""

from __future__ import annotations

import re
from typing import Any

from dash import Dash, Input, Output, State, html, no_update
from dash.exceptions import PreventUpdate

from plazasim.dashboard.edits import (
    base_scenario,
    edited_scenario,
    parameter_rows,
    parse_upload,
    timeline_rows,
    upload_name,
)
from plazasim.dashboard.errors import one_line
from plazasim.dashboard.runner import JobSpec, Runner
from plazasim.dashboard.runstore import BadInputError
from plazasim.errors import PlazasimError

__all__ = ["register_form"]

_JOB_ID = re.compile(r"[0-9a-f]{16}")


def _message(text: str, ok: bool = False) -> html.Div:
    return html.Div(text, className="message " + ("ok" if ok else "error"))


def _user_error(exc: Exception) -> html.Div:
    """The one-line message for a user error; re-raise anything that is a bug."""
    message = one_line(exc) if isinstance(exc, PlazasimError) else None
    if message is None:
        raise exc
    return _message(f"error: {message}")


def _timeline_label(rows: list[dict[str, Any]]) -> str:
    names = [str(r.get("policy", "")) for r in rows if isinstance(r, dict)]
    return "-".join(dict.fromkeys(n for n in names if n)) or "no-policy"


def register_form(app: Dash, runner: Runner) -> None:
    """Attach the form's callbacks to ``app``; runs go to ``runner``."""
    base_dir = runner.store.root

    @app.callback(
        Output("upload-store", "data"),
        Output("upload-message", "children"),
        Output("scenario-choice", "options"),
        Output("scenario-choice", "value"),
        Input("upload", "contents"),
        State("upload", "filename"),
        State("scenario-choice", "options"),
        prevent_initial_call=True,
    )
    def on_upload(contents: Any, filename: Any, options: Any) -> tuple[Any, ...]:
        if contents is None:
            raise PreventUpdate
        name = upload_name(filename)
        try:
            scenario = parse_upload(contents, filename, base_dir)
        except PlazasimError as exc:
            return None, _user_error(exc), no_update, no_update
        meta = scenario.scenario
        fixed = (
            [o for o in options if isinstance(o, dict) and o.get("value") != "upload"]
            if isinstance(options, list)
            else []
        )
        fixed.append({"label": f"uploaded: {name} ({meta.name})", "value": "upload"})
        text = f"loaded {name}: {meta.name}, {meta.start} to {meta.end}"
        return ({"contents": contents, "filename": name}, _message(text, ok=True), fixed, "upload")

    @app.callback(
        Output("seed", "value"),
        Output("until", "value"),
        Output("timeline", "data"),
        Output("parameters", "data"),
        Output("form-message", "children"),
        Input("scenario-choice", "value"),
        Input("upload-store", "data"),
    )
    def on_choice(choice: Any, upload: Any) -> tuple[Any, ...]:
        try:
            scenario, _ = base_scenario(choice, upload, base_dir)
        except PlazasimError as exc:
            return no_update, no_update, no_update, no_update, _user_error(exc)
        meta = scenario.scenario
        return (
            str(meta.seed),
            meta.end.isoformat(),
            timeline_rows(scenario),
            parameter_rows(scenario),
            "",
        )

    @app.callback(
        Output("timeline", "data", allow_duplicate=True),
        Input("add-policy", "n_clicks"),
        State("timeline", "data"),
        State("until", "value"),
        prevent_initial_call=True,
    )
    def add_policy(_: Any, rows: Any, until: Any) -> list[dict[str, Any]]:
        rows = list(rows) if isinstance(rows, list) else []
        if len(rows) >= 50:
            raise PreventUpdate
        date = until if isinstance(until, str) else ""
        return [*rows, {"from": date, "policy": "laissez_faire", "params": ""}]

    @app.callback(
        Output("job-store", "data"),
        Output("poll", "disabled"),
        Output("form-message", "children", allow_duplicate=True),
        Output("run-button", "disabled"),
        Input("run-button", "n_clicks"),
        State("scenario-choice", "value"),
        State("upload-store", "data"),
        State("seed", "value"),
        State("until", "value"),
        State("timeline", "data"),
        State("parameters", "data"),
        State("compare-policy", "value"),
        prevent_initial_call=True,
    )
    def on_run(
        _: Any,
        choice: Any,
        upload: Any,
        seed: Any,
        until: Any,
        timeline: Any,
        parameters: Any,
        other: Any,
    ) -> tuple[Any, ...]:
        try:
            base, source = base_scenario(choice, upload, base_dir)
            kw = {"seed": seed, "until": until, "timeline": timeline, "parameters": parameters}
            specs = [JobSpec(edited_scenario(base, **kw), _timeline_label(timeline), source)]
            if other not in (None, ""):
                if not isinstance(other, str):
                    raise BadInputError("compare-policy: expected a policy name")
                specs.append(JobSpec(edited_scenario(base, **kw, policy=other), other, source))
            job = runner.submit(specs)
        except PlazasimError as exc:
            return no_update, no_update, _user_error(exc), False
        what = " and ".join(s.label for s in specs)
        return job.id, False, _message(f"running {what}...", ok=True), True

    @app.callback(
        Output("progress", "value"),
        Output("progress-text", "children"),
        Output("poll", "disabled", allow_duplicate=True),
        Output("form-message", "children", allow_duplicate=True),
        Output("job-finished", "data"),
        Output("run-button", "disabled", allow_duplicate=True),
        Input("poll", "n_intervals"),
        State("job-store", "data"),
        prevent_initial_call=True,
    )
    def on_poll(_: Any, job_id: Any) -> tuple[Any, ...]:
        if job_id is None:
            return 0, "", True, no_update, no_update, False
        if not isinstance(job_id, str) or not _JOB_ID.fullmatch(job_id):
            raise BadInputError("job: not a job id")
        job = runner.get(job_id)
        if job is None:
            return (
                0,
                "",
                True,
                _message("error: job: unknown (the server was restarted?)"),
                no_update,
                False,
            )
        text = (
            f"{job.status}: {job.done_weeks} of {job.total_weeks} weeks simulated "
            f"({100 * job.fraction:.0f}%)"
        )
        if job.status in ("queued", "running"):
            return job.fraction, text, False, no_update, no_update, True
        ok = job.status == "done"
        finished = {"job": job.id, "runs": list(job.runs), "labels": list(job.labels)}
        return (
            job.fraction if not ok else 1,
            text,
            True,
            _message(job.message, ok=ok),
            finished if job.runs else no_update,
            False,
        )
