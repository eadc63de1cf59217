"""A provider fills in a quarterly return in the portal: the task list, each section, check your answers, submit."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from funding.money import gbp
from programmes import signals
from programmes.models import IndicatorValue, QuarterlyReturn, SpendForecast, SpendLine
from programmes.services import RETURN_STALE, return_approve, return_send_back, return_update_narrative
from tests.factories import OrganisationFactory
from tests.programmes.portal_returns import (
    fill,
    indicator_data,
    indicator_named,
    narrative_data,
    navigator_return,
    spend_data,
    submitted,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("evidence_storage")]


def url(name, quarterly_return):
    return reverse(f"portal:{name}", args=[quarterly_return.pk])


def page(response) -> str:
    assert response.status_code == 200, response
    return response.content.decode()


def statuses(client, quarterly_return) -> dict[str, str]:
    """The task list's sections and their statuses, as the page shows them."""
    html = page(client.get(url("return", quarterly_return)))
    found = re.findall(r'id="task-(\w+)-status">(.*?)</div>', html, flags=re.S)
    return {name: re.sub(r"<[^>]+>", "", status).strip() for name, status in found}


# --- The task list -------------------------------------------------------------------------------------------


def test_a_new_return_lists_its_sections_as_not_started_and_submission_as_cannot_start_yet(provider_client, navigator):
    html = page(provider_client.get(url("return", navigator)))
    assert "Q2 2024/25 return" in html
    assert statuses(provider_client, navigator) == {
        "spend": "Not started",
        "indicators": "Not started",
        "narrative": "Not started",
        "evidence": "Not started",
        "check": "Cannot start yet",
    }
    assert url("return_check", navigator) not in html  # GOV.UK: a task that cannot start is not a link


def test_sections_are_completed_as_they_are_saved(provider_client, navigator, provider_approver):
    provider_client.post(url("return_spend", navigator), spend_data(navigator))
    navigator.refresh_from_db()
    assert statuses(provider_client, navigator)["spend"] == "Completed"
    return_update_narrative(quarterly_return=navigator, user=provider_approver, challenges="Staffing.")
    assert statuses(provider_client, navigator)["narrative"] == "In progress"
    fill(navigator, provider_approver)
    assert statuses(provider_client, navigator) == {
        "spend": "Completed",
        "indicators": "Completed",
        "narrative": "Completed",
        "evidence": "Not started",
        "check": "Not started",
    }


def test_the_officers_comments_show_on_a_return_sent_back(provider_client, navigator, provider_approver, officer):
    submitted(navigator, provider_approver)
    return_send_back(quarterly_return=navigator, user=officer, reason="Explain the travel variance")
    assert "Explain the travel variance" in page(provider_client.get(url("return", navigator)))


# --- Spend ------------------------------------------------------------------------------------------------


def test_the_spend_form_prefills_forecasts_from_the_profile(provider_client, navigator):
    html = page(provider_client.get(url("return_spend", navigator)))
    travel = navigator.grant.budget_lines.get(name="Travel")
    assert f'name="line-{travel.pk}-forecast-3" value="500.00"' in html
    assert "£500.00 planned for Q2 2024/25" in html
    assert f'name="line-{travel.pk}-forecast-1"' not in html  # only the quarters left in the year


def test_spend_is_saved_for_every_line_and_continues_to_the_task_list(provider_client, navigator):
    response = provider_client.post(url("return_spend", navigator), spend_data(navigator))
    assert response.status_code == 302 and response.url == url("return", navigator)
    travel = SpendLine.objects.get(quarterly_return=navigator, budget_line__name="Travel")
    assert travel.actual == gbp("620.00")
    assert travel.variance_explanation == "More custody call-outs in Tamworth"
    assert SpendLine.objects.filter(quarterly_return=navigator).count() == 4
    assert SpendForecast.objects.filter(quarterly_return=navigator).count() == 8  # Q3 and Q4 for 4 lines
    assert QuarterlyReturn.objects.get(pk=navigator.pk).status == "draft"


def test_spend_more_than_10_percent_from_the_plan_needs_an_explanation(provider_client, navigator):
    travel = navigator.grant.budget_lines.get(name="Travel")
    data = spend_data(navigator, **{f"line-{travel.pk}-explanation": ""})
    html = page(provider_client.post(url("return_spend", navigator), data))
    assert "Explain why spend on Travel is more than 10% from the £500.00 planned" in html
    assert f'href="#id_line-{travel.pk}-explanation"' in html  # the summary links to the box to fill
    assert not SpendLine.objects.filter(quarterly_return=navigator).exists()  # no line saved without the others


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the amount spent on Travel in Q2 2024/25"),
        ("six hundred", "Enter the amount spent on Travel in Q2 2024/25 as an amount in pounds and pence"),
        ("-5", "Enter the amount spent on Travel in Q2 2024/25 as 0 or more"),
        ("10.005", "with no more than 2 decimal places"),
    ],
)
def test_spend_is_money_in_pounds_and_pence(provider_client, navigator, typed, message):
    travel = navigator.grant.budget_lines.get(name="Travel")
    html = page(
        provider_client.post(
            url("return_spend", navigator), spend_data(navigator, **{f"line-{travel.pk}-actual": typed})
        )
    )
    assert message in html
    assert 'class="govuk-error-summary"' in html and "<title>Error: " in html
    assert not SpendLine.objects.filter(quarterly_return=navigator).exists()


def test_spend_cannot_take_the_grant_past_its_amount(provider_client, navigator, provider_approver):
    first = navigator.grant.returns.get(quarter=1)
    fill(first, provider_approver)  # £46,000 on plan in Q1, of £184,000
    caseworkers = navigator.grant.budget_lines.get(name="Caseworkers")
    data = spend_data(
        navigator, **{f"line-{caseworkers.pk}-actual": "140000", f"line-{caseworkers.pk}-explanation": "Back pay"}
    )
    html = page(provider_client.post(url("return_spend", navigator), data))
    assert (
        "This quarter&#x27;s spend of £145,770.00 would take spend on the grant to £191,770.00, "
        "more than its amount of £184,000.00: £138,000.00 is left to spend" in html
    )
    assert not SpendLine.objects.filter(quarterly_return=navigator).exists()


# --- Indicators ------------------------------------------------------------------------------------------


def test_indicators_show_the_target_and_the_total_so_far_this_year(
    provider_client, navigator, provider_approver, officer
):
    first = navigator.grant.returns.get(quarter=1)
    submitted(first, provider_approver)  # 12 referrals in Q1
    return_approve(quarterly_return=first, user=officer)
    html = page(provider_client.get(url("return_indicators", navigator)))
    assert "Target for 2024/25: 220; so far this year: 12." in html
    provider_client.post(url("return_indicators", navigator), indicator_data(navigator))
    html = page(provider_client.get(url("return_indicators", navigator)))
    assert "Target for 2024/25: 220; so far this year: 73." in html  # 12 approved + 61 this quarter


def test_indicator_values_and_breakdowns_are_saved(provider_client, navigator):
    response = provider_client.post(url("return_indicators", navigator), indicator_data(navigator))
    assert response.status_code == 302 and response.url == url("return", navigator)
    referrals = indicator_named(navigator, "Referrals received")
    saved = {
        (v.breakdown, v.category): v.value
        for v in IndicatorValue.objects.filter(indicator=referrals, quarterly_return=navigator)
    }
    assert saved == {("", ""): 61, ("age_band", "10–13"): 9, ("age_band", "14–15"): 27, ("age_band", "16–17"): 25}
    risk = IndicatorValue.objects.get(indicator=indicator_named(navigator, "Reduced risk at exit"))
    assert (risk.numerator, risk.denominator, risk.value) == (17, 23, None)


def test_a_breakdown_cannot_add_up_to_more_than_its_total(provider_client, navigator):
    referrals = indicator_named(navigator, "Referrals received")
    data = indicator_data(navigator, **{f"indicator-{referrals.pk}-age_band-3": "2"})  # 9 + 27 + 25 + 2
    html = page(provider_client.post(url("return_indicators", navigator), data))
    assert "The age band breakdown of Referrals received adds up to 63, more than the total of 61" in html
    assert f'href="#id_indicator-{referrals.pk}-age_band-0"' in html
    assert not IndicatorValue.objects.exists()


def test_a_breakdown_category_left_empty_is_removed(provider_client, navigator):
    provider_client.post(url("return_indicators", navigator), indicator_data(navigator))
    navigator.refresh_from_db()
    referrals = indicator_named(navigator, "Referrals received")
    provider_client.post(
        url("return_indicators", navigator), indicator_data(navigator, **{f"indicator-{referrals.pk}-age_band-2": ""})
    )
    categories = IndicatorValue.objects.filter(indicator=referrals, breakdown="age_band").values_list(
        "category", flat=True
    )
    assert sorted(categories) == ["10–13", "14–15"]


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("value", "2.5", "Enter the figure for Referrals received as a whole number, like 61"),
        ("value", "", "Enter the figure for Referrals received"),
        ("value", "-1", "Enter the figure for Referrals received as 0 or more"),
        ("age_band-0", "many", "Enter the figure for Referrals received, age band 10–13 as a whole number"),
    ],
)
def test_counts_are_whole_numbers(provider_client, navigator, field, typed, message):
    referrals = indicator_named(navigator, "Referrals received")
    data = indicator_data(navigator, **{f"indicator-{referrals.pk}-{field}": typed})
    assert message in page(provider_client.post(url("return_indicators", navigator), data))
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize(
    ("numerator", "denominator", "message"),
    [
        ("24", "23", "For Reduced risk at exit, the numerator cannot be more than the denominator."),
        ("0", "0", "Enter the total that Reduced risk at exit is out of as a number more than 0"),
    ],
)
def test_a_percentage_is_a_number_out_of_a_total(provider_client, navigator, numerator, denominator, message):
    risk = indicator_named(navigator, "Reduced risk at exit")
    data = indicator_data(
        navigator, **{f"indicator-{risk.pk}-numerator": numerator, f"indicator-{risk.pk}-denominator": denominator}
    )
    assert message in page(provider_client.post(url("return_indicators", navigator), data))
    assert not IndicatorValue.objects.exists()


def test_the_area_breakdown_uses_the_grants_areas(provider_client, navigator):
    html = page(provider_client.get(url("return_indicators", navigator)))
    assert "By area (optional)" in html
    assert ">Stoke-on-Trent</label>" in html and ">Tamworth</label>" in html


# --- Narrative ------------------------------------------------------------------------------------------


def test_the_narrative_is_saved(provider_client, navigator):
    response = provider_client.post(url("return_narrative", navigator), narrative_data(navigator))
    assert response.url == url("return", navigator)
    navigator.refresh_from_db()
    assert (navigator.risk_rating, navigator.risks) == ("amber", "Recruitment of a second caseworker.")


def test_the_narrative_says_what_is_missing(provider_client, navigator):
    data = narrative_data(navigator, progress="", risk_rating="")
    html = page(provider_client.post(url("return_narrative", navigator), data))
    assert "Describe the progress made this quarter" in html
    assert "Select the overall risk rating: red, amber or green" in html
    assert 'href="#id_risk_rating_0"' in html
    assert "no names, dates of birth, case references" in html.replace("Do not include names", "no names")


# --- Two people editing the same draft -----------------------------------------------------------------------


def test_a_stale_save_is_refused_and_shows_what_changed(provider_client, editor_client, navigator):
    opened = narrative_data(navigator)  # both open the narrative at the same version
    editor_client.post(url("return_narrative", navigator), {**opened, "progress": "Editor's account of the quarter"})
    response = provider_client.post(url("return_narrative", navigator), {**opened, "progress": "Approver's account"})
    html = page(response)
    assert RETURN_STALE.replace("'", "&#x27;") in html
    assert "Someone else changed this return" in html
    row = html[html.index("Someone else changed this return") :]
    assert "Editor&#x27;s account of the quarter" in row and "Approver&#x27;s account" in row
    navigator.refresh_from_db()
    assert navigator.progress == "Editor's account of the quarter"  # nothing saved over it
    # The form comes back with the approver's words and the new version: saving again is a deliberate choice.
    assert f'name="version" value="{navigator.version}"' in html
    assert "Approver&#x27;s account</textarea>" in html
    again = provider_client.post(
        url("return_narrative", navigator), {**opened, "progress": "Approver's account", "version": navigator.version}
    )
    assert again.status_code == 302
    navigator.refresh_from_db()
    assert navigator.progress == "Approver's account"


def test_a_stale_spend_save_lists_the_amounts_now_saved(provider_client, editor_client, navigator):
    opened = spend_data(navigator)
    travel = navigator.grant.budget_lines.get(name="Travel")
    editor_client.post(url("return_spend", navigator), opened)
    html = page(provider_client.post(url("return_spend", navigator), {**opened, f"line-{travel.pk}-actual": "700"}))
    assert "Someone else changed this return" in html
    assert "Travel: spent in Q2 2024/25" in html and "£620.00" in html and "£700.00" in html
    assert "Caseworkers: spent in Q2 2024/25" not in html  # unchanged answers are not listed
    assert SpendLine.objects.get(quarterly_return=navigator, budget_line=travel).actual == gbp("620.00")


# --- Check your answers and submit ---------------------------------------------------------------------------


def test_check_your_answers_lists_what_is_missing(provider_client, navigator):
    html = page(provider_client.get(url("return_check", navigator)))
    assert "You cannot submit the return yet" in html
    assert "Enter the spend for every budget line" in html
    assert "Enter a figure for every indicator" in html
    assert "Submit the return" not in html


def test_check_your_answers_shows_every_section_with_change_links(provider_client, navigator, provider_approver):
    fill(navigator, provider_approver, files=1)
    html = page(provider_client.get(url("return_check", navigator)))
    for section in ("Spend", "Indicators", "Narrative", "Evidence"):
        assert f'<h2 class="govuk-heading-m">{section}</h2>' in html
    assert f'href="{url("return_spend", navigator)}#line-' in html
    assert f'href="{url("return_narrative", navigator)}"' in html
    assert "register-0.pdf" in html
    assert "I confirm that this return is accurate and complete" in html


def test_an_approver_submits_with_the_declaration_and_sees_the_receipt(provider_client, navigator, provider_approver):
    fill(navigator, provider_approver)
    received = []
    signals.return_submitted.connect(lambda **kw: received.append(kw["by"]), weak=False, dispatch_uid="portal-test")
    try:
        refused = page(provider_client.post(url("return_check", navigator), {"version": navigator.version}))
        assert "Confirm that the return is accurate and complete" in refused
        response = provider_client.post(url("return_check", navigator), {"version": navigator.version, "confirm": "on"})
    finally:
        signals.return_submitted.disconnect(dispatch_uid="portal-test")
    assert response.status_code == 302 and response.url == url("return_receipt", navigator)
    assert received == [provider_approver]  # notifications react to the signal; the portal sends no e-mail itself
    navigator.refresh_from_db()
    assert (navigator.status, navigator.submitted_by) == ("submitted", provider_approver)
    html = page(provider_client.get(url("return_receipt", navigator)))
    assert "Return submitted" in html and f"{navigator.grant.identifier}-Q2-2024-25" in html
    assert reverse("reports:return_receipt_pdf", args=[navigator.pk]) in html
    assert "What happens next" in html


def test_a_submission_over_someone_elses_change_is_refused(
    provider_client, navigator, provider_approver, provider_editor
):
    fill(navigator, provider_approver)
    checked = navigator.version
    return_update_narrative(quarterly_return=navigator, user=provider_editor, progress="Changed after the check")
    html = page(provider_client.post(url("return_check", navigator), {"version": checked, "confirm": "on"}))
    assert RETURN_STALE.replace("'", "&#x27;") in html
    assert "Changed after the check" in html  # the answers as they are now, to check again
    assert QuarterlyReturn.objects.get(pk=navigator.pk).status == "draft"


def test_the_receipt_is_only_for_a_submitted_return(provider_client, navigator):
    assert provider_client.get(url("return_receipt", navigator)).status_code == 404


# --- After submission ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["return_spend", "return_indicators", "return_narrative", "return_evidence"])
def test_a_submitted_return_shows_answers_only(provider_client, navigator, provider_approver, name):
    submitted(navigator, provider_approver, files=1)
    html = page(provider_client.get(url(name, navigator)))
    assert "This return is submitted, so its answers cannot be changed." in html
    assert '<form method="post" novalidate' not in html
    assert "Save and continue" not in html and "Upload file" not in html


def test_the_task_list_of_a_submitted_return_links_to_the_receipt(provider_client, navigator, provider_approver):
    submitted(navigator, provider_approver)
    html = page(provider_client.get(url("return", navigator)))
    assert url("return_receipt", navigator) in html
    assert "by Sam " in html


def test_a_third_quarter_return_forecasts_only_the_fourth(provider_client, provider, officer):
    third = navigator_return(provider=provider, officer=officer, quarter=3)
    html = page(provider_client.get(url("return_spend", third)))
    assert "Spent in Q3 2024/25" in html and "Forecast for Q4 2024/25" in html
    assert "Forecast for Q3 2024/25" not in html


def test_a_client_without_a_session_is_sent_to_sign_in(navigator):
    response = Client().get(url("return", navigator))
    assert response.status_code == 302 and response.url.startswith("/portal/sign-in/")


def test_other_grants_budget_lines_do_not_hold_up_submission(provider_client, navigator, provider_approver, officer):
    """Completeness is judged on this grant's budget lines only, however many other grants there are."""
    navigator_return(provider=OrganisationFactory(), officer=officer)
    fill(navigator, provider_approver)
    assert "You cannot submit the return yet" not in page(provider_client.get(url("return_check", navigator)))
    response = provider_client.post(url("return_check", navigator), {"version": navigator.version, "confirm": "on"})
    assert response.status_code == 302
