"""Coordinate reference systems used across the project.

Storage and GeoJSON are WGS84 lon/lat (OGC CRS84 axis order). Areas, lengths and buffers are
computed in CGCS2000 3-degree Gauss-Kruger zone CM 114E (EPSG:4547): at most 0.17 % area
error anywhere in Ganzhou, while EPSG:3857 is off by about 24 % there and is never used for
measurement.
"""

STORAGE_CRS = "EPSG:4326"
CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
METRIC_CRS = "EPSG:4547"
CGCS2000 = "EPSG:4490"
WEB_MERCATOR = "EPSG:3857"
