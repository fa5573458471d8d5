"""Tamper evidence for the event log: a SHA-256 hash chain, signed checkpoints, verification and export bundles.

The chain keeper follows the log like a projection and records one chain hash per event; `kamcore
audit verify` recomputes the chain from the stored bytes and names the first position that
differs; `kamcore audit export` writes a bundle an auditor checks without kamcore.
"""
