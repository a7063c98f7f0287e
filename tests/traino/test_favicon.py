"""/favicon.ico answers: browsers and crawlers ask it whatever the page links."""

from django.contrib.staticfiles import finders


def test_favicon_ico_redirects_to_the_svg_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"
    assert response["Cache-Control"] == "public, max-age=86400"
    with open(finders.find("favicon.svg"), "rb") as icon:
        assert b"<svg" in icon.read()
