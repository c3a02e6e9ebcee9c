"""Why signing in failed, in a sentence for the user: the authorisation server's or the gateway's
refusal named with what to check (the app key, the sign secret, the token), a network problem, a
busy loopback port. Unexpected errors are logged with their traceback and named by their type.

The texts are the sign-in dialog's (its translation context, ``LoginDialog``)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication

from desktop.core.kuaishou import errors as api_errors
from desktop.ui.i18n import fill

log = logging.getLogger(__name__)


def describe_sign_in_error(exc: BaseException) -> str:
    """A plain sentence for the user about why signing in failed."""
    if isinstance(exc, api_errors.OAuthRedirectError | TimeoutError):
        return str(exc)
    if isinstance(exc, api_errors.OAuthError):
        return fill(
            QCoreApplication.translate(
                "LoginDialog",
                "The authorisation server refused: %1. Check the app key and app secret, "
                "and authorise again (a code works once, for 2 minutes).",
            ),
            exc.message,
        )
    if isinstance(exc, api_errors.SignatureError):
        return QCoreApplication.translate(
            "LoginDialog",
            "The gateway refused the request signature: check the sign secret "
            "(signSecret, not the app secret) and the sign method.",
        )
    if isinstance(exc, api_errors.AppKeyRejected):
        return QCoreApplication.translate(
            "LoginDialog", "The gateway does not know the app key: check the app key (it starts with ks)."
        )
    if isinstance(exc, api_errors.TokenInvalid | api_errors.PastedTokenInvalid):
        return QCoreApplication.translate(
            "LoginDialog",
            "The gateway does not accept the access token (it is not a valid token): "
            "copy it again, or authorise again.",
        )
    if isinstance(exc, api_errors.AuthError):
        return fill(
            QCoreApplication.translate(
                "LoginDialog",
                "The gateway refused the token: %1. Check the access token, or authorise again.",
            ),
            exc.message,
        )
    if isinstance(exc, api_errors.TransportError):
        return fill(
            QCoreApplication.translate(
                "LoginDialog",
                "Cannot reach the gateway: %1. Check the network and the gateway address (Advanced).",
            ),
            exc.message,
        )
    if isinstance(exc, api_errors.KuaishouError):
        return fill(QCoreApplication.translate("LoginDialog", "The gateway answered with an error: %1"), exc)
    if isinstance(exc, OSError):
        return fill(
            QCoreApplication.translate(
                "LoginDialog",
                "Cannot listen for the browser on the redirect address (%1). Is another "
                "program using that port?",
            ),
            exc,
        )
    if isinstance(exc, ValueError):
        return str(exc)
    log.error("sign-in failed unexpectedly", exc_info=exc)
    return fill(
        QCoreApplication.translate("LoginDialog", "Signing in failed unexpectedly: %1 (details in the log)."),
        type(exc).__name__,
    )
