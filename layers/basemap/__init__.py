"""The map's basemap (docs/basemap.md): the territory basemap's vector tiles, a self-hosted
tile archive, and the configuration the browser reads to choose between them and a tile
service."""

from layers.basemap.config import client_config

__all__ = ["client_config"]
