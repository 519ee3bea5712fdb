"""The counter scale: profiles (data in resources/scales), a reader that owns the serial port
on one thread and reports stable weights, and a simulator for tests and demos. Qt-free."""

from desktop.scale.profiles import ScaleProfile, list_scale_profiles, load_scale_profile
from desktop.scale.reader import Reading, ScaleReader, parse_frame

__all__ = ["Reading", "ScaleProfile", "ScaleReader", "list_scale_profiles", "load_scale_profile", "parse_frame"]
