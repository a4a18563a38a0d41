"""Operator base-station inventories: read, validate, locate by county, store.

Telecom operators (中国移动, 中国联通, 中国电信, 中国广电, 中国铁塔) submit site lists as CSV,
XLSX or GeoJSON. Every row is validated (row-level errors), coordinates are converted to
WGS84 and the county is derived by a spatial join - never trusted from the input.
"""
