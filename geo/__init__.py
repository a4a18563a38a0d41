"""Ganzhou digital-economy atlas: the plan's spatial facts as typed, cited layers.

This package is the library half of the project. It never imports the web framework or the
map toolkit (``api/`` and ``maps/`` import it, not the other way round).
"""

__version__ = "0.1.0"
