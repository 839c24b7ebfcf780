"""Synthesis and model back ends behind small interfaces."""
