def test_it_shows_the_dashboard_to_a_signed_in_user(owner_client):
    response = owner_client.get("/")
    assert response.status_code == 200
    assert b"Followup" in response.content


def test_it_sends_anonymous_visitors_to_log_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
