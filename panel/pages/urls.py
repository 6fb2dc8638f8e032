"""Routes of the web panel, mounted at the site's root (after ``admin/`` and ``api/``).

Paths have no trailing slash, as Rustmail's panel (its links keep working). Every view is guarded by
``panel.pages.access.panel_page``, except the sign-in, logout and language views (open to anyone).
tests/panel/test_page_permissions.py fails when a route here has no row in its matrix.
"""

from django.urls import path

from panel.pages import dashboard, language, signin

app_name = "panel"

urlpatterns = [
    # Sign-in, logout, language (anyone).
    path("", signin.signin, name="signin"),
    path("login", signin.password_login, name="password_login"),
    path("logout", signin.signout, name="logout"),
    path("language", language.set_language, name="language"),
    # Dashboard.
    path("panel", dashboard.dashboard, name="dashboard"),
]
