def test_the_home_page_says_what_outturn_is_and_links_to_both_sign_ins(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert b"<h1>Outturn</h1>" in response.content
    assert b'href="/admin/"' in response.content
    assert b'href="/portal/"' in response.content
