"""AfterSale Watch (售后守望): a desktop self-check for Kuaishou shop sellers."""

from desktop._version import __version__

APP_NAME = "AfterSaleWatch"
APP_DISPLAY_NAME = "售后守望 AfterSale Watch"
ORG_NAME = "AfterSaleWatch"

__all__ = ["APP_DISPLAY_NAME", "APP_NAME", "ORG_NAME", "__version__"]
