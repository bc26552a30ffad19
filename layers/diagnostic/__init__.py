"""The shared diagnostic: density, hotspots, per-commune figures, map and report.

`bundle.run` writes the files of `manage.py diagnostic`; the notebooks read the same
functions (queries, areas, density, hotspots). See docs/diagnostic.md.
"""
