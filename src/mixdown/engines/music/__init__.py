"""The embedded music engine: prompt -> Spec -> Plan -> Score -> render -> mix -> master.

Everything up to the Score is pure and deterministic from ``(spec, seed)``; see
``docs/music-engine.md``.
"""
