"""The health checks answer without a login and without a session."""


def test_healthz_answers_without_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"
    assert "sessionid" not in response.cookies


def test_healthz_db_asks_the_database(client, db):
    assert client.get("/healthz/db").status_code == 200


def test_healthz_db_is_503_while_the_database_is_out_of_reach(client, db, monkeypatch):
    from django.db import OperationalError

    from govwatch.ops import views

    class Gone:
        def cursor(self):
            raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(views, "connection", Gone())
    assert client.get("/healthz/db").status_code == 503


def test_only_get_and_head(client):
    assert client.post("/healthz").status_code == 405
