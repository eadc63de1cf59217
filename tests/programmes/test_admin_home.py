import datetime

import pytest
from django.test import override_settings

from programmes.models import QuarterlyReturn
from programmes.services import grant_activate
from tests.factories import funded_grant

pytestmark = pytest.mark.django_db


@override_settings(OUTTURN_TODAY="2023-10-15")
def test_the_first_screen_counts_the_work_waiting_and_links_to_it(officer_client, officer):
    grant = funded_grant()
    grant_activate(grant=grant, user=officer)  # Q1 is due 30 July 2023, so overdue on 15 October
    QuarterlyReturn.objects.filter(grant=grant, quarter=2).update(status=QuarterlyReturn.Status.SUBMITTED)
    response = officer_client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    in_all_years = "<strong>1</strong> return overdue in all years</a>"
    assert f'<a href="/admin/returns/quarterly-returns/?overdue=true">{in_all_years}' in html
    assert '<a href="/admin/returns/review/"><strong>1</strong> return waiting' in html
    assert '<a href="/admin/dashboards/limits-passed/"><strong>0</strong> limits passed</a>' in html
    overdue = officer_client.get("/admin/returns/quarterly-returns/?overdue=true")
    assert [str(r.period) for r in overdue.context["object_list"]] == ["Q1 2023/24"]
    assert datetime.date(2023, 7, 30) == overdue.context["object_list"][0].due_date


def test_the_admin_is_branded_as_outturn(officer_client):
    html = officer_client.get("/admin/").content.decode()
    assert "<title>Dashboard - Outturn</title>" in html
    assert "images/alliance-logo.svg" in html


def test_content_editors_are_not_shown_the_returns_work(content_editor, client):
    client.force_login(content_editor)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "Work waiting" not in response.content.decode()
