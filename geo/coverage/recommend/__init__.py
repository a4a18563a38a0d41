"""Where the next base stations close each county's gap (the site recommender, issue 13).

Modules, one job each: ``config`` (weights and limits, the ``ATLAS_RECOMMEND`` settings),
``demand`` (what must be covered, and where a site may go), ``greedy`` (max-coverage picks
with local score updates), ``certificate`` (a HiGHS bound per county), ``plan`` (one run
from a coverage run to ranked sites), ``needs`` (sites each county still needs, held for
the scorecard), ``export`` (GeoJSON/CSV/XLSX/KML) and ``jobs`` (the API's background runs).
Kept free of imports here: ``geo.settings`` imports ``config``.
"""
