"""Physical ranges and size limits of the inputs solidstack accepts (stated in the README, "Input limits").

Every range keeps the solver sane: a stack inside them either finishes its simulation or fails with the
one-line solver error; a value outside is refused on input with a located one-line problem. Values in SI
units (m, m2, kg, A/m2, K) unless the name says otherwise.
"""

from __future__ import annotations

#: A stack file is read only if it is a regular file of at most this many bytes.
MAX_FILE_BYTES = 10_000_000
#: Values (scalars, tables, lists) in one stack file, counted after parsing (YAML aliases count each time used).
MAX_FILE_VALUES = 100_000
#: Layers in a stack (the patent's FIG. 1-6 have 5-9).
MAX_LAYERS = 64
#: Characters in a stack name and in a material name; in a description, source or note.
MAX_NAME_CHARS = 200
MAX_TEXT_CHARS = 4000

#: Cell area [m2]: 0.01 cm2 (1 mm2) to 1 m2.
AREA_M2 = (1e-6, 1.0)
#: Metal foil and collector thickness [m]: 0.1 um (a sputtered film) to 10 mm.
FOIL_THICKNESS_M = (1e-7, 1e-2)
#: Electrode and separator thickness [m], given or derived from mass and porosity: 1 um to 10 mm.
LAYER_THICKNESS_M = (1e-6, 1e-2)
#: Thickness of a coating on the active particles [m]: 0.1 nm to 10 um.
COATING_THICKNESS_M = (1e-10, 1e-5)
#: Particle size (D50 diameter) of an electrode's active material [m]: 10 nm (nano-Si, nano-LFP) to 100 um
#: (coarse graphite and alloy powders are 10-40 um; beyond 100 um a particle is a layer's thickness).
PARTICLE_SIZE_M = (1e-8, 1e-4)
#: Primer (a coating on a current collector, e.g. ~1 um carbon on Al) thickness [m]: 0.01 um to 50 um.
PRIMER_THICKNESS_M = (1e-8, 5e-5)
#: Bulk ionic conductivity of a solid electrolyte given in a stack file [S/m]: 1e-6 mS/cm to 100 mS/cm (LiPON is
#: ~3e-3 mS/cm, the best sulfides ~10-25 mS/cm at room temperature).
SE_CONDUCTIVITY_S_M = (1e-7, 10.0)
#: Pressing pressure [Pa] (a powder layer's, or the assembled stack's fabrication pressure): 0 to 5 GPa.
PRESSING_PA = (0.0, 5e9)
#: Porosity of a pressed layer: 0 to 0.9 (above, it is no longer a layer).
POROSITY = (0.0, 0.9)
#: Smallest mass fraction of active material in an electrode (1 %).
MIN_ACTIVE_FRACTION = 0.01
#: Current density [A/m2]: 0.001 mA/cm2 to 100 mA/cm2.
CURRENT_DENSITY_A_M2 = (1e-2, 1e3)
#: Cycles of one run.
MAX_CYCLES = 100_000
#: Voltage cut-offs [V].
VOLTAGE_V = (0.0, 6.0)
