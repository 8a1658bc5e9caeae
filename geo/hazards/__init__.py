"""Hazardous chemicals and public safety: the major-hazard register, exposure analysis around a
site, and the screening incident scenario (Gaussian plume threat zone)."""
