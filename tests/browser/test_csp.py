"""The Content-Security-Policy in a real browser: the main pages and their in-place actions
(htmx on the queue, the interviewer rows of the log form) run without one violation.

Chromium reports each violation as a `securitypolicyviolation` event and a console error
("Refused to ..."); both are collected for every page and frame.
"""

from __future__ import annotations

import pytest
from django.test import Client

from messaging.models import Message, OutboxEmail
from tests.browser.conftest import screenshot
from tests.builders.accounts import make_user
from tests.builders.messages import draft, panel

pytestmark = pytest.mark.browser

# Runs before any script of each document: turns every violation into a console error
# that names the directive, so the console listener below sees them all.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " blocked " +
    (event.blockedURI || "inline") + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""


class Console:
    """Every console error, page error and CSP report of one browser context."""

    def __init__(self, context) -> None:
        self.problems: list[str] = []
        context.add_init_script(REPORT_VIOLATIONS)

    def watch(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _console(self, message) -> None:
        text = message.text
        if message.type == "error" or "Content Security Policy" in text or "CSP" in text:
            self.problems.append(f"{message.type}: {text}")

    def violations(self) -> list[str]:
        return [p for p in self.problems if "CSP" in p or "Content Security Policy" in p]


def signed_in_page(context, live_server, user, console: Console):
    """A page whose session cookie belongs to `user` (no trip through the login form)."""
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    console.watch(page)
    return page


def test_the_main_pages_and_their_in_place_actions_raise_no_csp_violation(
    browser_context, live_server
):
    console = Console(browser_context)
    user = make_user("alex@example.com")
    application, people = panel(user)
    first = draft(application)
    second = draft(application, contact=people["richardson"])
    third = draft(application, contact=people["recruiter"], stage=Message.Stage.CHECK_IN)
    kept = OutboxEmail.objects.create(
        user=user,
        subject="Thank you - Data Engineer interview",
        from_email="Alex Morgan <followup@localhost>",
        to="dana@acme.example",
        body_text="Dear Ms. Richardson,\n\nThank you for your time today.",
        body_html="<p>Thank you for your time <b>today</b>.</p>",
        headers={},
    )
    page = signed_in_page(browser_context, live_server, user, console)
    url = live_server.url

    # The pages, each fully loaded with its scripts and styles.
    for path in ("/", f"/applications/{application.pk}/", "/companies/", "/accounts/profile/"):
        page.goto(url + path)
        page.wait_for_load_state("load")
    # htmx really runs, with its configuration read from the meta tag (no eval).
    assert page.evaluate("htmx.config.allowEval") is False
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False

    # The outbox and one email, its sanitised HTML shown in the sandboxed frame.
    page.goto(url + "/messages/outbox/")
    page.goto(url + f"/messages/outbox/{kept.pk}/")
    page.get_by_role("tab", name="HTML").click()
    frame = page.frame_locator("iframe[data-outbox-html]")
    assert frame.locator("b").inner_text() == "today"
    # The frame's height comes from our stylesheet (no style attribute any more).
    assert page.locator("iframe[data-outbox-html]").bounding_box()["height"] >= 300
    screenshot(page, "csp-outbox-email")

    # The queue: approve, edit and skip in place (htmx swaps, no reload).
    page.goto(url + "/messages/queue/")
    page.wait_for_function("() => window.htmx !== undefined")
    page.locator(f"#draft-{first.pk} [data-action=approve]").click()
    page.locator(f"#draft-{first.pk}[data-done]").wait_for()
    page.locator(f"#draft-{second.pk} [data-action=edit]").click()
    page.locator(f"#draft-{second.pk}[data-editing] textarea").first.wait_for()
    page.locator(f"#draft-{third.pk} [data-action=skip]").click()
    page.fill(f"#skip-reason-{third.pk}", "Already called them")
    page.locator(f"#draft-{third.pk}").get_by_role("button", name="Skip this message").click()
    page.locator(f"#draft-{third.pk}[data-done]").wait_for()
    assert page.url == url + "/messages/queue/"
    screenshot(page, "csp-queue")
    first.refresh_from_db()
    third.refresh_from_db()
    assert first.status == Message.Status.APPROVED
    assert third.status == Message.Status.SKIPPED

    # The log-interview form: interviewer rows added and removed by static/js/formset.js.
    page.goto(url + "/interviews/log/")
    rows = page.locator("[data-formset-row]:visible")
    assert rows.count() == 1
    add = page.get_by_role("button", name="Add an interviewer")
    add.click()
    add.click()
    assert rows.count() == 3
    rows.nth(1).get_by_role("button", name="Remove this interviewer").click()
    assert rows.count() == 2
    assert page.is_checked("#id_people-1-DELETE")
    screenshot(page, "csp-log-interview")

    assert console.problems == []

    # An error page: its own <style> block is allowed by its hash, and applies.
    page.goto(url + "/no-such-page/")
    assert page.evaluate("getComputedStyle(document.body).display") == "flex"
    # The only complaint is the 404 answer itself.
    assert console.violations() == [], console.problems
    assert [p for p in console.problems if "status of 404" not in p] == []


def test_the_pages_before_log_in_raise_no_csp_violation(browser_context, live_server):
    console = Console(browser_context)
    page = browser_context.new_page()
    console.watch(page)

    page.goto(live_server.url + "/accounts/login/")
    page.goto(live_server.url + "/accounts/signup/")
    # static/js/time-zone.js (formerly an inline script) still guesses the time zone.
    page.wait_for_load_state("load")
    guessed = page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    options = page.locator("select.js-guess-time-zone option").evaluate_all(
        "options => options.map(o => o.value)"
    )
    if guessed in options:
        assert page.input_value("select.js-guess-time-zone") == guessed
    screenshot(page, "csp-signup")

    assert console.problems == []


def test_the_detector_does_see_a_violation(browser_context, live_server):
    # The control: an inline script is refused and reported, so an empty list above means
    # none happened, not that none could be seen.
    console = Console(browser_context)
    page = browser_context.new_page()
    console.watch(page)
    page.goto(live_server.url + "/accounts/login/")

    page.evaluate(
        """() => {
        const script = document.createElement("script");
        script.textContent = "window.inlineRan = true";
        document.body.appendChild(script);
        const styled = document.createElement("div");
        styled.setAttribute("style", "color: red");
        document.body.appendChild(styled);
    }"""
    )
    page.wait_for_timeout(200)

    assert page.evaluate("window.inlineRan === undefined")
    violations = console.violations()
    assert any("script-src" in v for v in violations), console.problems
    assert any("style-src" in v for v in violations), console.problems
