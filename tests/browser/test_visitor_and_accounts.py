"""A visitor arrives and changes language; a new member signs up, logs out, logs in."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_visitor_lands_on_english_home(page, live_server):
    page.goto(live_server("/"))
    expect(page).to_have_url(live_server("/en/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_attached()


@pytest.mark.parametrize("locale", ["fr-FR"])
def test_visitor_with_a_french_browser_lands_on_french_home(page, live_server):
    page.goto(live_server("/"))
    expect(page).to_have_url(live_server("/fr/"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("link", name="Aller au contenu principal")).to_be_attached()


def test_visitor_switches_to_french_with_the_language_selector(page, live_server):
    page.goto(live_server("/en/"))
    menu = page.locator("header details.lang-menu")
    menu.locator("summary").click()
    expect(menu).to_have_attribute("open", "")
    with page.expect_navigation():
        menu.get_by_role("link", name="Français").click()
    expect(page).to_have_url(live_server("/fr/"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    # The interface is French now, and the selector says so.
    main_nav = page.get_by_role("navigation", name="Principal")
    expect(main_nav.get_by_role("link", name="Articles")).to_be_visible()
    expect(page.locator("header details.lang-menu summary")).to_contain_text("Français")
    # The choice sticks: the bare root now sends this visitor to French.
    page.goto(live_server("/"))
    expect(page).to_have_url(live_server("/fr/"))


def test_new_member_signs_up_lands_logged_in_and_logs_out(page, live_server):
    username = f"learner{uuid.uuid4().hex[:6]}"
    page.goto(live_server("/en/auth/register"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Agora")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.org")
    page.get_by_label("Password", exact=True).fill("Gentle-otter-Quartz-1987")
    page.get_by_label("Repeat password").fill("Gentle-otter-Quartz-1987")
    expect(page.get_by_label("Preferred language")).to_have_value("en")
    with page.expect_navigation():
        page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(live_server("/en/"))
    expect(page.get_by_role("status")).to_contain_text(f"Welcome to Agora, {username}!")
    account = page.get_by_role("navigation", name="Your account")
    expect(account.get_by_role("link", name=username)).to_be_visible()

    with page.expect_navigation():
        account.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You are logged out.")
    expect(account.get_by_role("link", name="Log in")).to_be_visible()
    expect(account.get_by_role("link", name=username)).to_have_count(0)


def test_registration_mistakes_are_shown_beside_the_fields(page, live_server):
    page.goto(live_server("/en/auth/register"))
    page.get_by_label("Username").fill("anna")  # a demo member has it
    page.get_by_label("Email").fill("someone-new@example.org")
    page.get_by_label("Password", exact=True).fill("Gentle-otter-Quartz-1987")
    page.get_by_label("Repeat password").fill("Gentle-otter-Quartz-1987")
    with page.expect_navigation():
        page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the marked fields.")
    username = page.get_by_label("Username")
    expect(username).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#username-error")).to_have_text("This username is already taken.")
    expect(page.locator(".field.has-error").filter(has=username)).to_contain_text(
        "This username is already taken.")
    # What was typed is kept, except passwords; nobody is logged in.
    expect(page.get_by_label("Email")).to_have_value("someone-new@example.org")
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    expect(page.get_by_role("navigation", name="Your account").get_by_role(
        "link", name="Log in")).to_be_visible()

    # Passwords that differ: said beside the repeat field.
    page.get_by_label("Username").fill("fresh-name-42")
    page.get_by_label("Password", exact=True).fill("Gentle-otter-Quartz-1987")
    page.get_by_label("Repeat password").fill("Something-else-entirely-55")
    with page.expect_navigation():
        page.get_by_role("button", name="Create account").click()
    expect(page.locator("#password2-error")).to_have_text("The passwords do not match.")
    expect(page.get_by_label("Repeat password")).to_have_attribute("aria-invalid", "true")


def test_wrong_password_shows_the_error_next_to_the_field(page, live_server):
    page.goto(live_server("/en/auth/login"))
    page.get_by_label("Username or email").fill("anna")
    page.get_by_label("Password").fill("not-her-password")
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").last.click()
    expect(page).to_have_url(re.compile(r"/en/auth/login"))
    password = page.get_by_label("Password")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_attribute("aria-describedby", re.compile("password-error"))
    error = page.locator("#password-error")
    expect(error).to_have_text("Wrong username, email or password.")
    # "Next to the field": the message sits in the same field group, right under it.
    expect(page.locator(".field.has-error").filter(has=password)).to_contain_text(
        "Wrong username, email or password.")
    account = page.get_by_role("navigation", name="Your account")
    expect(account.get_by_role("link", name="Log in")).to_be_visible()


def test_demo_member_logs_in_and_sees_their_name(page, live_server, log_in):
    log_in(page, "anna")
    expect(page).to_have_url(live_server("/en/"))
    account = page.get_by_role("navigation", name="Your account")
    expect(account.get_by_role("link", name="Anna Weber")).to_be_visible()
    expect(account.get_by_role("link", name="Settings")).to_be_visible()


def test_visitor_switches_to_french_searches_and_opens_a_result(page, live_server):
    page.goto(live_server("/"))
    expect(page).to_have_url(live_server("/en/"))
    page.locator("header details.lang-menu summary").click()
    with page.expect_navigation():
        page.locator("header details.lang-menu").get_by_role("link", name="Français").click()
    expect(page).to_have_url(live_server("/fr/"))

    search = page.get_by_role("search").first
    box = search.get_by_role("searchbox")
    box.fill("bibliothèques")
    with page.expect_navigation():
        box.press("Enter")
    expect(page).to_have_url(re.compile(r"/fr/search\?q=biblioth"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rechercher")
    # Only the number is checked: "%(num)d result" has no French translation yet.
    expect(page.locator("#results-heading")).to_have_text(re.compile(r"^[1-9]\d* r[ée]sult"))
    title = "Des cercles d'apprentissage dans les bibliothèques publiques"
    result = page.locator(".search-results").get_by_role("link", name=title)
    expect(result).to_be_visible()
    with page.expect_navigation():
        result.click()
    expect(page).to_have_url(re.compile(r"/fr/articles/\d+-"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("article.article")).to_have_attribute("lang", "fr")
