from funding.widgets import Select


def test_a_long_select_marks_the_chosen_option_and_escapes_labels():
    widget = Select(choices=[("", "All"), (7, "Tom & Jerry's <Trust>"), (8, "Other")])
    html = widget.render("provider", "7", attrs={"id": "id_provider"})
    assert html.startswith('<select name="provider" id="id_provider">')
    assert '<option value="">All</option>' in html
    assert '<option value="7" selected>Tom &amp; Jerry&#x27;s &lt;Trust&gt;</option>' in html
    assert '<option value="8">Other</option>' in html
