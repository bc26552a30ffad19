"""Self-served basemaps (docs/basemap.md): a tile archive, when the operator has one."""

import environ

env = environ.Env()

# A PMTiles or MBTiles file on this server (for example an OpenStreetMap extract of the
# region), served by the application itself; empty: the built-in territory basemap.
MAP_BASEMAP_ARCHIVE = env.str("MAP_BASEMAP_ARCHIVE", default="")
