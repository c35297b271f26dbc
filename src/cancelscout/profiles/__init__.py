"""Site profiles: the schema, the YAML loader with precise errors, and the registry."""

from cancelscout.profiles.loader import load_profile
from cancelscout.profiles.registry import ProfileRegistry
from cancelscout.profiles.schema import Locator, Profile, Route, Step

__all__ = ["Locator", "Profile", "ProfileRegistry", "Route", "Step", "load_profile"]
