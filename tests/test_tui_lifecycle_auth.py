"""The terminal UI shows and drives S3 lifecycle rules and HTTP API authorizers: their
records' rows in the Events pane, a bucket's rules, classes and next actions in the
Inspector, tags and incomplete uploads in the upload dialog, and JWT claims in the HTTP
dialog (each dialog builds the command line a user could type)."""

from __future__ import annotations

import tui_support  # first: pins the environment before Textual loads
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static, TextArea
from tui_one_app import on_one_app, steps_at
from tui_support import EXAMPLES, START, drawn_text, drive, inspector

from stptui.commands import Session, execute
from stptui.sim.trace import Record
from stptui.tui.app import StptuiApp
from stptui.tui.render import record_style, record_text
from stptui.tui.screens.dialogs import MORE_KEY, HttpDialog, UploadDialog
from stptui.tui.widgets.agenda_pane import AgendaPane


def open_example(name: str) -> Session:
    """A session on docs/examples/NAME.yml (with its behaviours when it has them)."""
    behaviors = EXAMPLES / f"{name}-behaviors.yml"
    return Session.open(
        EXAMPLES / f"{name}.yml",
        behaviors_path=behaviors if behaviors.exists() else None,
        start_ms=START,
    )


def run_script(session: Session, name: str) -> None:
    """Run docs/examples/NAME.stp's lines (its `expect` lines hold)."""
    for line in (EXAMPLES / f"{name}.stp").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            execute(session, line)


def rows(session: Session, kind: str) -> list[tuple[str, str]]:
    """(row text after the resource, colour) of each record of `kind`, oldest first."""
    recs: list[Record] = [r for r in session.sim.trace.records if r.kind == kind]
    return [(record_text(r).plain.split(None, 2)[2], record_style(r)) for r in recs]


def shown(app: StptuiApp, selector: str) -> str:
    """A Static of the current screen as drawn, its lines joined by spaces."""
    return " ".join(drawn_text(app.screen.query_one(selector, Static)).split())


# -- the events pane ------------------------------------------------------------------------


def test_lifecycle_rows_lead_with_what_the_rule_did() -> None:
    session = open_example("lifecycle")
    run_script(session, "lifecycle")
    [(initiated, initiated_style)] = rows(session, "multipart.initiated")
    assert initiated.startswith("reports key=exports/2026-02.csv upload_id=")
    assert "bucket=" not in initiated and initiated_style == "cyan"
    expired = rows(session, "lifecycle.expired")
    assert [row.split(" key=")[0] for row, _ in expired] == [
        "reports delete-marker",
        "reports delete-marker",
        "reports deleted",
    ]
    assert expired[0][0].startswith(
        "reports delete-marker key=scratch.txt rule=lifecycleRules[1] storage_class=STANDARD "
        "size=0 "
    )
    assert {style for _, style in expired} == {"red"}
    [(moved, moved_style)] = rows(session, "lifecycle.transitioned")
    assert moved.startswith(
        "reports STANDARD->STANDARD_IA key=exports/2026-01.csv rule=lifecycleRules[2] "
    )
    assert moved_style == "magenta"
    [(aborted, aborted_style)] = rows(session, "lifecycle.aborted")
    assert aborted.startswith("reports key=exports/2026-02.csv rule=lifecycleRules[4] upload_id=")
    assert aborted_style == "red"


def test_authorization_rows_say_allowed_or_denied_and_why() -> None:
    session = open_example("http-auth")
    run_script(session, "http-auth")
    auth = rows(session, "http.authorization")
    assert auth[0][0].startswith(
        "api unauthorized 401 reason=no token: $request.header.Authorization is missing "
        "authorizer=jwt user_pool=users request_id="
    )
    assert auth[0][1] == "yellow"
    assert auth[1][0].startswith("api allowed reason=the token is valid")
    assert auth[1][1] == "green"
    denied = next(row for row in auth if " denied " in row[0])
    assert denied[0].startswith(
        "api denied 403 reason=the authorizer answered isAuthorized: false authorizer=lambda "
        "function=gatekeeper cached=false request_id="
    )
    assert denied[1] == "yellow"
    assert all("decision=" not in row for row, _ in auth)


def test_an_authorizer_error_is_red_as_a_500_is() -> None:
    session = open_example("http-auth")
    execute(session, "fail gatekeeper")
    execute(session, "http GET /reports --header x-api-key:k-1")
    [(row, style)] = rows(session, "http.authorization")
    assert row.startswith("api error 500 reason=the authorizer failed") and style == "red"


# -- the inspector --------------------------------------------------------------------------


def test_the_bucket_page_shows_rules_classes_and_next_actions() -> None:
    session = open_example("lifecycle")
    for line in (EXAMPLES / "lifecycle.stp").read_text().splitlines()[1:6]:
        execute(session, line)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.selected = "reports"
        await pilot.pause()
        page = inspector(app)
        assert "3 objects, 6,002,000 bytes; versioning on" in page
        assert 'lifecycleRules[2] (to STANDARD_IA 30 days after upload, prefix "exports/")' in (
            page
        )
        objects = page.split("\nObjects\n", 1)[1]
        assert objects.startswith(
            "exports/2026-01.csv 6,000,000 B STANDARD\n"
            "  next: to STANDARD_IA at 2026-02-05T00:00:00.000Z (lifecycleRules[2])\n"
            "scratch.txt 0 B STANDARD\n"
            "  next: delete marker at 2026-01-07T00:00:00.000Z (lifecycleRules[1])\n"
        )
        assert (
            "exports/2026-01.csv noncurrent 5,000,000 B STANDARD\n"
            "  next: expire at 2026-02-05T00:00:00.000Z (lifecycleRules[3])\n"
            "exports/2026-02.csv incomplete multipart upload\n"
            "  next: abort at 2026-01-13T00:00:00.000Z (lifecycleRules[4])\n"
        ) in objects
        # The rules act as the clock passes: the page follows the bucket.
        app.run_command("advance 31d")
        await pilot.pause()
        objects = inspector(app).split("\nObjects\n", 1)[1]
        assert objects.startswith("exports/2026-01.csv 6,000,000 B STANDARD_IA\n")
        assert "incomplete multipart upload" not in objects
        # Behind its delete marker, the version is noncurrent: the next rule counts from then.
        assert "\ntmp/session.json 2,000 B" not in objects
        assert (
            "tmp/session.json noncurrent 2,000 B STANDARD\n"
            "  next: expire at 2026-02-13T00:00:00.000Z (lifecycleRules[3])\n"
        ) in objects

    drive(StptuiApp(session), script)


async def a_bucket_without_rules_lists_its_objects_and_classes(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # The first check: the bucket as the stack opens.
    app.selected = "reports"
    await pilot.pause()
    assert "\nObjects\nno current objects\n" in inspector(app)


# -- the upload dialog ----------------------------------------------------------------------


async def upload_dialog_sends_tags_and_lists_the_rules_they_are_for(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    before = len(app.session.log)
    await pilot.press("u")
    dialog = app.screen
    assert isinstance(dialog, UploadDialog)
    assert "lifecycleRules[1] (expiration 1 day after upload, tags class=scratch)" in (
        shown(app, "#upload-notes")
    )
    dialog.query_one("#upload-key", Input).value = "scratch.txt"
    dialog.query_one("#upload-tags", Input).value = "class=scratch, team=data lake"
    await pilot.press("ctrl+s")
    assert not isinstance(app.screen, UploadDialog)
    assert app.session.log[before:] == [
        "upload reports scratch.txt --tag class=scratch --tag 'team=data lake'"
    ]
    obj = app.session.sim.services["buckets"].buckets["reports"].objects["scratch.txt"]
    assert obj.tags == {"class": "scratch", "team": "data lake"}
    assert obj.lifecycle is not None and obj.lifecycle.due.rule.name == "lifecycleRules[1]"
    await pilot.pause()
    agenda = app.query_one(AgendaPane).text.plain
    assert 'reports\'s lifecycle: expire "scratch.txt" (delete marker) (lifecycleRules[1])' in (
        agenda
    )


async def upload_dialog_starts_an_incomplete_upload_and_shows_refusals(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    log, seq = list(app.session.log), app.session.sim.trace.seq
    await pilot.press("u")
    dialog = app.screen
    assert isinstance(dialog, UploadDialog)
    dialog.query_one("#upload-key", Input).value = "exports/big.csv"
    dialog.query_one("#upload-tags", Input).value = "class"
    await pilot.press("ctrl+s")
    assert "--tag needs KEY=VALUE" in shown(app, "#upload-error")
    dialog.query_one("#upload-tags", Input).value = "a=1,a=2"
    await pilot.press("ctrl+s")
    assert "InvalidTag: Cannot provide multiple Tags with the same key" in (
        shown(app, "#upload-error")
    )
    dialog.query_one("#upload-tags", Input).value = ""
    dialog.query_one("#upload-size", Input).value = "5MB"
    dialog.query_one("#upload-op-select", Select).value = "incomplete"
    await pilot.press("ctrl+s")
    assert "--incomplete starts an upload that never completes" in (shown(app, "#upload-error"))
    assert app.session.log == log and app.session.sim.trace.seq == seq
    dialog.query_one("#upload-size", Input).value = ""
    await pilot.press("ctrl+s")
    assert not isinstance(app.screen, UploadDialog)
    assert app.session.log == [*log, "upload reports exports/big.csv --incomplete"]
    made = [r.kind for r in app.session.sim.trace.records if r.seq > seq]
    assert made == ["multipart.initiated"]


def test_the_bucket_page_and_the_upload_dialog_on_the_lifecycle_stack() -> None:
    """On one app of the lifecycle example: the empty bucket's page (first), then an
    incomplete upload after the dialog's refusals, then a tagged upload."""
    checks = [
        a_bucket_without_rules_lists_its_objects_and_classes,
        upload_dialog_starts_an_incomplete_upload_and_shows_refusals,
        upload_dialog_sends_tags_and_lists_the_rules_they_are_for,
    ]
    on_one_app(StptuiApp(open_example("lifecycle")), steps_at((120, 36), checks))


# -- the HTTP dialog ------------------------------------------------------------------------


def test_http_dialog_mints_a_token_for_a_cognito_route() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("h")
        dialog = app.screen
        assert isinstance(dialog, HttpDialog)
        routes = shown(app, "#http-routes")
        assert "GET /me → profile (cognito users authorizer)" in routes
        assert "GET /reports → reports (lambda gatekeeper authorizer)" in routes
        # The claims and what the route checks are folded with the headers and query.
        await pilot.press(MORE_KEY)
        await pilot.pause()
        # It opens on the stack's first route.
        assert "GET /me checks a token of users" in shown(app, "#http-auth")
        dialog.query_one("#http-path", Input).value = "/nowhere"
        await pilot.pause()
        assert "no route takes this request" in shown(app, "#http-auth")
        dialog.query_one("#http-path", Input).value = "/me"
        await pilot.pause()
        assert "GET /me checks a token of users" in shown(app, "#http-auth")
        dialog.query_one("#http-jwt", Input).value = "sub=u1,email=ann@example.com"
        dialog.query_one("#http-headers", TextArea).text = "origin: https://app.example.com"
        await pilot.press("ctrl+s")
        response = shown(app, "#http-response")
        assert response.startswith("HTTP 200 (api: GET /me -> profile")
        assert "access-control-allow-origin: https://app.example.com" in response
        assert app.session.log == [
            "http GET /me --header 'origin: https://app.example.com' "
            "--jwt sub=u1,email=ann@example.com"
        ]
        dialog.query_one("#http-path", Input).value = "/reports"
        await pilot.pause()
        assert "has a lambda gatekeeper authorizer" in shown(app, "#http-auth")
        dialog.query_one("#http-jwt", Input).value = "exp"
        await pilot.press("ctrl+s")
        assert "--jwt needs CLAIM=VALUE pairs" in shown(app, "#http-error")
        assert len(app.session.log) == 1

    drive(StptuiApp(open_example("http-auth")), script, size=(140, 50))


def test_http_dialog_has_no_jwt_field_without_a_user_pool() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("h")
        dialog = app.screen
        assert isinstance(dialog, HttpDialog)
        assert not dialog.query("#http-jwt") and not dialog.query("#http-auth")
        dialog.query_one("#http-path", Input).value = "/webhooks/stripe"
        await pilot.press("ctrl+s")
        assert app.session.log == ["http GET /webhooks/stripe"]

    drive(tui_support.app_for("combined"), script)
