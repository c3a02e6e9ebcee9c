"""The one version source: the package, the bundle and the About box read it from here."""

__version__ = "0.1.0"
