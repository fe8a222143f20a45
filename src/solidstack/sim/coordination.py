"""How many SE grains touch one active particle of a composite electrode, and what share of the active particles
contact loss strands (constants: ``sim/data/contact.toml`` ``[coordination]``; README, contact loss).

The contact law's state f (:mod:`solidstack.sim.contact`) is the share of the active particles' SE contacts that
are closed. A particle is stranded, with the ion it holds, only when all of its Z contacts are open; with each open
on its own, the connected share of the active material is

    a = 1 - (1 - f)^Z,     Z = max(1, 4 eta (1 + R/r)^2 S_SE),     S_SE = (phi_SE / r) / (phi_SE / r + phi_A / R)

R and r (m) are the active and SE particle radii, phi_A and phi_SE their volume fractions, eta the covered share of
the neighbour shell (0.375, from the 6 contacts of a random close packing of equal spheres). Z = 1 (a = f) wherever the stack gives no SE particle size or the side is not a
composite of particles.
"""

from __future__ import annotations

from solidstack.sim.data_files import SimConstants, default_constants
from solidstack.sim.hosts import HostMap
from solidstack.sim.parameters import volume_fractions
from solidstack.stack import Stack


def contacts_per_particle(R: float, r: float, phi_active: float, phi_se: float, eta: float) -> float:
    """Z (-): the SE grains of radius ``r`` (m) touching one active particle of radius ``R`` (m) in a composite of
    volume fractions ``phi_active`` and ``phi_se``, with ``eta`` the covered share of the neighbour shell; >= 1."""
    if R <= 0.0 or r <= 0.0 or phi_se <= 0.0:
        return 1.0
    shell = 4.0 * eta * (1.0 + R / r) ** 2  # neighbour sites around the particle, in grain cross-sections
    se_share = (phi_se / r) / (phi_se / r + phi_active / R)
    return max(1.0, shell * se_share)


def connected_share(f: float, z: float) -> float:
    """a (-): the share of active particles that keep at least one of their ``z`` SE contacts when a share ``f``
    of the contacts is closed, each on its own: 1 - (1 - f)^z."""
    return 1.0 - (1.0 - f) ** z


def se_contacts(stack: Stack, hosts: HostMap, side: str, constants: SimConstants | None = None) -> float:
    """Z of electrode ``side`` of ``stack``: from its active host's particle radius and its composite SE's
    ``particle_size`` (D50 diameter); 1 where the stack gives no SE particle size or the electrode is not a
    composite of active particles."""
    side_hosts = hosts.side(side)  # type: ignore[arg-type]
    if not side_hosts or side_hosts[0].kind != "active":
        return 1.0
    el = stack.anode if side == "anode" else stack.cathode
    se = getattr(el, "electrolyte", None)
    r = se.particle_radius_m() if se is not None else None
    if r is None:
        return 1.0
    eta = (constants or default_constants()).files["contact.toml"]["coordination"]["shell_coverage"]
    phi_a, phi_se = volume_fractions(stack, side)
    return contacts_per_particle(side_hosts[0].radius, r, phi_a, phi_se, eta)
