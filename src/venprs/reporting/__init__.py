"""Reports: the HTML report, ``results.json`` and figures of ``venprs analyze`` / ``venprs reproduce``."""
