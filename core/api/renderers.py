"""The browsable API (DRF's HTML pages of each endpoint), fitted to the site."""

from __future__ import annotations

from rest_framework import renderers


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's pages, readable on a phone (a viewport), with links back to the site and to the API docs."""

    template = "core/browsable_api.html"
