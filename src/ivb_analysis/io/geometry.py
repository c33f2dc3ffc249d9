"""The delivery's wijk geometry (GeoJSON/GeoPackage), checked at prepare.

The annex draws the map from the file itself (`maps`); this check only makes a broken file fail
at `prepare`, with the file name, instead of halfway through the annex.
"""

from __future__ import annotations

from pathlib import Path

from ivb_analysis.errors import InputError

CODE_COLUMN = "statcode"
_SHAPES = {"Polygon", "MultiPolygon"}


def check_geometry(path: Path, code_column: str = CODE_COLUMN) -> int:
    """Readable, with the wijk code column and a (multi)polygon per feature; returns the number
    of wijken. Rows in messages are feature numbers (1 = the first feature of the file)."""
    import geopandas as gpd

    if not path.is_file():
        raise InputError("kaartbestand niet gevonden", file=path)
    try:
        shapes = gpd.read_file(path)
    except Exception as exc:  # pyogrio/fiona raise several types for unreadable files
        raise InputError(f"kaartbestand kan niet gelezen worden: {exc}", file=path,
                         expected="GeoJSON of GeoPackage met de wijken") from None
    if code_column not in shapes.columns:
        raise InputError("kolom met de CBS-wijkcode ontbreekt in de kaart", file=path,
                         column=code_column, found=", ".join(map(str, shapes.columns)))
    if shapes.empty:
        raise InputError("kaart heeft geen wijken", file=path)
    for position, (code, shape) in enumerate(zip(shapes[code_column], shapes.geometry,
                                                 strict=True)):
        if shape is None or shape.is_empty or shape.geom_type not in _SHAPES:
            raise InputError("wijk zonder vlak in de kaart", file=path, column="geometry",
                             row=position + 1, expected="Polygon of MultiPolygon",
                             found=f"{code}: {shape.geom_type if shape is not None else 'leeg'}")
    return len(shapes)
