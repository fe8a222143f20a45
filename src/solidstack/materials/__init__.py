"""The materials knowledge base: metals, their reactions with Li+/Na+/K+, active materials, solid
electrolytes, collectors, additives, coatings and binders, each value with its source.

>>> from solidstack.materials import catalog
>>> catalog.metal("In").elongation_pct
22.0
>>> catalog.reactions("In", ion="Li").onset_V
0.62
"""

from solidstack.materials.catalog import (
    KINDS,
    Catalog,
    DataError,
    UserDataError,
    default_catalog,
    set_default_catalog,
    shipped_catalog,
    use_catalog,
)
from solidstack.materials.records import (
    IONS,
    ActiveMaterial,
    Auxiliary,
    Electrolyte,
    Metal,
    MetalIonReactions,
    OcpCurve,
    OxidationIndicator,
    ReactionStep,
    Reference,
    Transport,
    Window,
)

#: The shipped catalog plus the folders of SOLIDSTACK_MATERIALS (checked when first used).
catalog: Catalog = shipped_catalog()

__all__ = [
    "IONS",
    "KINDS",
    "ActiveMaterial",
    "Auxiliary",
    "Catalog",
    "DataError",
    "Electrolyte",
    "Metal",
    "MetalIonReactions",
    "OcpCurve",
    "OxidationIndicator",
    "ReactionStep",
    "Reference",
    "Transport",
    "UserDataError",
    "Window",
    "catalog",
    "default_catalog",
    "set_default_catalog",
    "shipped_catalog",
    "use_catalog",
]
