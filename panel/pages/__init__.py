"""The web panel's HTML pages (server-rendered, enhanced with htmx), one module per page.

The JSON API lives in ``panel.views``; these pages use the same selectors, services and permissions.
Every page and action view is wrapped in :func:`panel.pages.access.panel_page`.
"""
