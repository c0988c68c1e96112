"""Seeded generators of the shipped synthetic demo data (SPEC section 5).

Everything here is SYNTHETIC: calibrated to the shapes Liu et al. (2026) and Wang et al. (2025)
report, never official statistics. ``python -m sim.demo`` rewrites every file in ``data/demo/``
byte for byte from ``DEMO_SEED``.

Modules: ``provinces`` (Study A panel), ``cities`` (Study B city panel, links, firm panel).
"""
DEMO_SEED = 20260101
