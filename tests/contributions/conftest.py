NICE = (7.2620, 43.7030)
MENTON = (7.4975, 43.7760)
SANREMO = (7.7760, 43.8170)
MONACO = (7.4246, 43.7384)


def point(lon, lat, **properties):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "kind": "proposal",
            "theme": "infrastructure",
            "title": "Un abri à l'arrêt de car",
            "description": "Les enfants attendent sous la pluie.",
            **properties,
        },
    }
