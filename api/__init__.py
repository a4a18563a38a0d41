"""The web service: OGC API - Features, tiles and downloads over the ``geo`` layers."""
