"""QGIS 3.22 headless loads a keyed OAPIF collection with a Basic ``authcfg``; run with Debian's
/usr/bin/python3.

Usage: qgis_auth_probe.py URL COLLECTION GOOD_KEY BAD_KEY   (prints one JSON object)

The probe does what an analyst does in QGIS: store a Basic authentication configuration
(user name anything, password = the API key) in QGIS's authentication database, then add the
OGC API - Features layer with that ``authcfg``. The database lives in a throw-away folder
(``QGIS_AUTH_DB_DIR_PATH``), unlocked by a master password set for this run.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsVectorLayer  # noqa: E402


def _authcfg(name: str, key: str) -> str:
    config = QgsAuthMethodConfig("Basic")
    config.setName(name)
    config.setConfig("username", "qgis")
    config.setConfig("password", key)
    manager = QgsApplication.authManager()
    stored = manager.storeAuthenticationConfig(config)
    ok = stored[0] if isinstance(stored, tuple) else stored
    if not ok:
        raise SystemExit(f"QGIS refused to store the auth config {name}")
    return config.id()


def _load(url: str, collection: str, authcfg: str) -> dict:
    layer = QgsVectorLayer(f"url='{url}' typename='{collection}' authcfg='{authcfg}'",
                           collection, "OAPIF")
    valid = layer.isValid()
    return {"valid": valid,
            "count": sum(1 for _ in layer.getFeatures()) if valid else -1,
            "fields": [f.name() for f in layer.fields()] if valid else []}


def main() -> None:
    """Load ``COLLECTION`` once with the good key and once with the bad one."""
    url, collection, good, bad = sys.argv[1:5]
    app = QgsApplication([], False)
    app.initQgis()
    manager = QgsApplication.authManager()
    if not manager.setMasterPassword("atlas-probe-master", True):
        raise SystemExit("could not set the QGIS master password")
    out = {"qgis_version": __import__("qgis.core").core.Qgis.QGIS_VERSION,
           "good": _load(url, collection, _authcfg("atlas-good", good)),
           "bad": _load(url, collection, _authcfg("atlas-bad", bad))}
    sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    os._exit(0)  # QGIS 3.22's exitQgis() can crash tearing down network providers


if __name__ == "__main__":
    main()
