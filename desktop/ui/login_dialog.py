"""Sign-in (first run and "add shop").

Two ways in, sharing the app key, the sign secret and the sign method:

1. **Authorise in the browser** (a seller's own app; needs the app secret and the redirect URI
   registered for the app). The app opens the authorise URL. A loopback redirect URI
   (``http://127.0.0.1:PORT/callback``) is caught by the app itself
   (:class:`~desktop.core.kuaishou.oauth.LoopbackCatcher`); with any other (https) callback the user
   pastes the address the browser landed on, or just the code. The ``state`` is checked, then the
   code is exchanged for tokens in the background.
2. **Paste an access token** from the developer console (optionally the refresh token and the app
   secret, so it can be refreshed).

Either way the app verifies by fetching the seller's name (``seller_info()``), then stores the
secrets through :class:`~desktop.core.secrets.SecretStore` and the profile in the store
(:class:`~desktop.core.profiles.ShopManager`). Nothing blocks the UI thread: every network, socket and
keychain step runs through :func:`~desktop.ui.workers.run_in_background`.

Demo mode fills the fields from the sandbox and runs the very same browser flow, with the browser
replaced by a plain HTTP GET of the authorise URL (the sandbox redirects to the loopback catcher).

What a failure is told as lives in :mod:`desktop.ui.sign_in_errors`. The rest stays in this one
module (a little over 600 lines) on purpose: both ways in share the fields, the busy state, the
"abandoned" flag of the running step and its cancellation, and split apart they would reach into
each other's state.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import requests
from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.kuaishou import errors as api_errors
from desktop.core.kuaishou.oauth import (
    DEFAULT_AUTHORIZE_URL,
    DEFAULT_BASE_URL,
    LoopbackCatcher,
    OAuthClient,
    parse_redirect,
    refresh_expiry_ms,
)
from desktop.core.kuaishou.transport import is_loopback_host
from desktop.core.logsetup import register_secret
from desktop.core.profiles import ShopManager, SignInResult, expiry_ms
from desktop.ui.i18n import fill
from desktop.ui.icons import app_pixmap
from desktop.ui.queue.labels import secondary_text
from desktop.ui.sign_in_errors import describe_sign_in_error
from desktop.ui.workers import Task, run_in_background

if TYPE_CHECKING:
    from desktop.core.kuaishou.client import Credentials
    from desktop.core.kuaishou.models import OAuthToken, SellerInfo
    from desktop.core.store import Shop
    from desktop.sandbox import Sandbox

log = logging.getLogger(__name__)

SIGN_METHODS = ("HMAC_SHA256", "MD5")
DEFAULT_REDIRECT_URI = "http://127.0.0.1:17880/callback"
# how long the app waits for the browser to come back to the loopback callback
LOOPBACK_TIMEOUT_S = 300.0


class SellerClient(Protocol):
    """What the sign-in needs of an API client: the seller's name (it is closed after, when it has
    a ``close()``)."""

    def seller_info(self) -> SellerInfo: ...


ClientFactory = Callable[["Credentials", str], SellerClient]  # (credentials, base_url) -> client


def default_client_factory(credentials: Credentials, base_url: str) -> SellerClient:
    from desktop.core.kuaishou.client import KuaishouClient

    return KuaishouClient(credentials, base_url=base_url, max_retries=1)


def open_in_browser(url: str) -> bool:
    """Open ``url`` in the user's browser (``False`` when no browser could be started)."""
    return QDesktopServices.openUrl(QUrl(url))


def fetch_directly(url: str) -> bool:
    """Demo/test stand-in for the browser: GET the authorise URL in the background and follow the
    redirect to the loopback catcher, as a browser would."""

    def visit() -> None:
        requests.get(url, timeout=10, allow_redirects=True).close()

    run_in_background(visit, on_error=lambda exc: log.warning("demo authorisation visit failed: %s", exc))
    return True


def is_loopback_redirect(uri: str) -> bool:
    parts = urllib.parse.urlsplit(uri)
    return parts.scheme == "http" and bool(parts.hostname) and is_loopback_host(parts.hostname or "")


class SignInAbandoned(Exception):
    """The sign-in step was stopped before its result was stored (nothing was)."""


class LoginDialog(QDialog):
    """The sign-in dialog. ``signed_in(shop)`` is emitted with the stored ``Shop`` before it closes."""

    signed_in = Signal(object)
    # the status text changed (tests and the demo follow the flow with it)
    status_changed = Signal(str)

    def __init__(
        self,
        shops: ShopManager,
        parent: QWidget | None = None,
        *,
        client_factory: ClientFactory = default_client_factory,
        open_url: Callable[[str], bool] = open_in_browser,
    ) -> None:
        super().__init__(parent)
        self.shops = shops
        self.client_factory = client_factory
        self.open_url = open_url
        self._task: Task | None = None
        # set when the running step is abandoned: the worker then stores nothing
        self._abandon = threading.Event()
        self._catcher: LoopbackCatcher | None = None
        self._oauth: OAuthClient | None = None
        self._state: str | None = None
        self._busy = False
        self.setWindowTitle(self.tr("Sign in to a Kuaishou shop"))
        self.setMinimumWidth(600)
        self._build()
        self._update_secret_note()
        self._mode_changed()

    # ------------------------------------------------------------------------------ layout
    def _secret_edit(self, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setPlaceholderText(placeholder)
        return edit

    def _build(self) -> None:
        header_icon = QLabel()
        header_icon.setPixmap(app_pixmap(48, self.devicePixelRatioF()))
        title = QLabel(self.tr("Sign in to your Kuaishou shop"))
        title.setStyleSheet("font-size: 15pt; font-weight: 600;")
        intro = QLabel(
            self.tr(
                "Enter the credentials of your shop's app from the Kuaishou open platform "
                "(开放平台 → 控制台 → 应用详情). They stay on this computer."
            )
        )
        intro.setWordWrap(True)
        head_text = QVBoxLayout()
        head_text.addWidget(title)
        head_text.addWidget(intro)
        header = QHBoxLayout()
        header.addWidget(header_icon, 0, Qt.AlignmentFlag.AlignTop)
        header.addLayout(head_text, 1)

        self.app_key = QLineEdit()
        self.app_key.setPlaceholderText("ks…")
        self.sign_secret = self._secret_edit()
        self.sign_method = QComboBox()
        self.sign_method.addItems(SIGN_METHODS)
        common = QFormLayout()
        common.addRow(self.tr("App key (appKey):"), self.app_key)
        common.addRow(self.tr("Sign secret (signSecret):"), self.sign_secret)
        common.addRow(self.tr("Sign method:"), self.sign_method)

        # mode 1: browser authorisation
        self.app_secret = self._secret_edit()
        self.redirect_uri = QLineEdit(DEFAULT_REDIRECT_URI)
        self.redirect_uri.setToolTip(
            self.tr(
                "The callback address registered for your app. A loopback address "
                "(http://127.0.0.1:PORT/callback) is caught by this app; with an https callback "
                "you paste the address the browser lands on."
            )
        )
        self.redirect_uri.textChanged.connect(self._mode_changed)
        self.authorize_button = QPushButton(self.tr("Authorise in the browser"))
        self.authorize_button.setDefault(True)
        self.authorize_button.clicked.connect(self.start_authorization)
        self.authorize_link = QLineEdit()
        self.authorize_link.setReadOnly(True)
        self.authorize_link.setPlaceholderText(self.tr("The authorisation address appears here"))
        copy_link = QToolButton()
        copy_link.setText(self.tr("Copy"))
        copy_link.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.authorize_link.text()))
        link_row = QHBoxLayout()
        link_row.addWidget(self.authorize_link, 1)
        link_row.addWidget(copy_link)
        self.pasted = QLineEdit()
        self.pasted.setPlaceholderText(self.tr("Paste the address the browser landed on, or the code"))
        self.pasted.returnPressed.connect(self.continue_with_pasted)
        self.paste_button = QPushButton(self.tr("Continue"))
        self.paste_button.clicked.connect(self.continue_with_pasted)
        paste_row = QHBoxLayout()
        paste_row.addWidget(self.pasted, 1)
        paste_row.addWidget(self.paste_button)
        self.paste_label = QLabel(self.tr("Redirected address or code:"))
        oauth_form = QFormLayout()
        oauth_form.addRow(self.tr("App secret (appSecret):"), self.app_secret)
        oauth_form.addRow(self.tr("Redirect URI:"), self.redirect_uri)
        oauth_form.addRow("", self.authorize_button)
        oauth_form.addRow(self.tr("Authorisation address:"), link_row)
        oauth_form.addRow(self.paste_label, paste_row)
        oauth_page = QWidget()
        oauth_page.setLayout(oauth_form)

        # mode 2: pasted token
        self.access_token = self._secret_edit()
        self.refresh_token = self._secret_edit(self.tr("optional"))
        self.token_app_secret = self._secret_edit(self.tr("optional, to refresh the token"))
        self.token_button = QPushButton(self.tr("Verify and sign in"))
        self.token_button.clicked.connect(self.sign_in_with_token)
        token_form = QFormLayout()
        token_form.addRow(self.tr("Access token:"), self.access_token)
        token_form.addRow(self.tr("Refresh token:"), self.refresh_token)
        token_form.addRow(self.tr("App secret (appSecret):"), self.token_app_secret)
        token_form.addRow("", self.token_button)
        note = QLabel(
            self.tr(
                "An access token from the developer console is valid for 48 hours; with the "
                "refresh token and the app secret the app renews it by itself."
            )
        )
        note.setWordWrap(True)
        note.setStyleSheet(f"color: {secondary_text(self.palette()).name()};")
        note.setMinimumHeight(note.fontMetrics().lineSpacing() * 3)
        token_layout = QVBoxLayout()
        token_layout.addLayout(token_form)
        token_layout.addWidget(note)
        token_layout.addStretch(1)
        token_page = QWidget()
        token_page.setLayout(token_layout)

        self.tabs = QTabWidget()
        self.tabs.addTab(oauth_page, self.tr("Authorise in the browser"))
        self.tabs.addTab(token_page, self.tr("Paste an access token"))
        tallest = max(oauth_page.sizeHint().height(), token_page.sizeHint().height())
        self.tabs.setMinimumHeight(tallest + self.tabs.tabBar().sizeHint().height() + 12)

        # advanced: where the gateway is (the sandbox, a relay)
        self.advanced_toggle = QToolButton()
        self.advanced_toggle.setText(self.tr("Advanced"))
        self.advanced_toggle.setCheckable(True)
        self.advanced_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.base_url = QLineEdit(DEFAULT_BASE_URL)
        self.authorize_url = QLineEdit(DEFAULT_AUTHORIZE_URL)
        advanced_form = QFormLayout()
        advanced_form.addRow(self.tr("Gateway address:"), self.base_url)
        advanced_form.addRow(self.tr("Authorisation page:"), self.authorize_url)
        self.advanced = QWidget()
        self.advanced.setLayout(advanced_form)
        self.advanced.setVisible(False)
        self.advanced_toggle.toggled.connect(self._toggle_advanced)

        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        self.progress.setVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.secret_note = QLabel()
        self.secret_note.setWordWrap(True)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self._cancel_clicked)
        bottom = QHBoxLayout()
        bottom.addWidget(self.advanced_toggle)
        bottom.addStretch(1)
        bottom.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addSpacing(6)
        layout.addLayout(common)
        layout.addWidget(self.tabs)
        layout.addWidget(self.advanced)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.secret_note)
        layout.addLayout(bottom)

    def _toggle_advanced(self, shown: bool) -> None:
        self.advanced.setVisible(shown)
        self.advanced_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.adjustSize()

    def _update_secret_note(self) -> None:
        store = self.shops.secrets
        if store.persistent:
            self.secret_note.setText(fill(self.tr("Keys and tokens are kept in: %1"), store.backend_name))
            self.secret_note.setStyleSheet(f"color: {secondary_text(self.palette()).name()};")
        else:
            self.secret_note.setText(store.problem or "")
            self.secret_note.setStyleSheet("color: #B25000;")

    def _mode_changed(self) -> None:
        loopback = is_loopback_redirect(self.redirect_uri.text().strip())
        # with a loopback callback the app catches the redirect; pasting stays possible as a fallback
        self.paste_label.setEnabled(not self._busy)
        self.pasted.setEnabled(not self._busy or not loopback)
        self.paste_button.setEnabled(self._state is not None and not (self._busy and loopback))

    # ------------------------------------------------------------------------------ helpers
    def set_status(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #C62828;" if error else "")
        self.status_changed.emit(text)

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        self.progress.setVisible(busy)
        for widget in (
            self.app_key,
            self.sign_secret,
            self.sign_method,
            self.app_secret,
            self.redirect_uri,
            self.authorize_button,
            self.access_token,
            self.refresh_token,
            self.token_app_secret,
            self.token_button,
            self.base_url,
            self.authorize_url,
        ):
            widget.setEnabled(not busy)
        self.tabs.tabBar().setEnabled(not busy)
        self.cancel_button.setText(self.tr("Stop") if busy else self.tr("Cancel"))
        self._mode_changed()
        if text:
            self.set_status(text)

    def _fields(self, *names: tuple[QLineEdit, str]) -> list[str] | None:
        """The stripped texts of the given fields, or ``None`` after saying which one is empty."""
        values = []
        for edit, label in names:
            value = edit.text().strip()
            if not value:
                self.set_status(fill(self.tr("Please fill in: %1"), label), error=True)
                edit.setFocus()
                return None
            values.append(value)
        return values

    def _endpoints(self) -> tuple[str, str]:
        base = self.base_url.text().strip() or DEFAULT_BASE_URL
        authorize = self.authorize_url.text().strip() or DEFAULT_AUTHORIZE_URL
        return base, authorize

    # ------------------------------------------------------------------------------ mode 1
    def start_authorization(self) -> None:
        """Open the authorise URL; then catch the loopback redirect or wait for the pasted one."""
        values = self._fields(
            (self.app_key, self.tr("App key")),
            (self.sign_secret, self.tr("Sign secret")),
            (self.app_secret, self.tr("App secret")),
            (self.redirect_uri, self.tr("Redirect URI")),
        )
        if values is None:
            return
        app_key, _sign_secret, app_secret, redirect_uri = values
        base_url, authorize_url = self._endpoints()
        try:
            self._close_oauth()  # the previous attempt's, if any
            self._oauth = OAuthClient(app_key, app_secret, base_url=base_url, authorize_url=authorize_url)
        except ValueError as exc:
            self.set_status(str(exc), error=True)
            return
        self._cleanup_catcher()
        if is_loopback_redirect(redirect_uri):
            self._start_loopback(redirect_uri)
            return
        url, self._state = self._oauth.authorize_url(redirect_uri)
        self._show_authorize_url(url)
        self.set_status(
            self.tr(
                "Agree in the browser, then paste the address it lands on (or the code) "
                "below and press Continue. The code is valid for 2 minutes."
            )
        )
        self._mode_changed()
        self.pasted.setFocus()

    def _show_authorize_url(self, url: str) -> None:
        self.authorize_link.setText(url)
        self.authorize_link.setCursorPosition(0)
        if not self.open_url(url):
            self.set_status(
                self.tr("No browser could be opened: copy the authorisation address into your browser."),
                error=True,
            )

    def _start_loopback(self, redirect_uri: str) -> None:
        parts = urllib.parse.urlsplit(redirect_uri)
        port, path = (80 if parts.port is None else parts.port), parts.path or "/callback"  # 0: any free port
        oauth = self._oauth
        assert oauth is not None
        credentials_for = self._oauth_credentials_factory()
        base_url = self._endpoints()[0]
        self._set_busy(True, self.tr("Starting…"))
        abandon = self._new_step()

        def flow(progress: Callable[..., None]) -> tuple[SignInResult, Shop]:
            catcher = LoopbackCatcher(port=port, path=path)
            url, state = oauth.authorize_url(catcher.redirect_uri, state=catcher.state)
            progress("opened", catcher, url, state)
            code, got_state = catcher.wait(LOOPBACK_TIMEOUT_S)
            # the same state check as for a pasted address
            code = parse_redirect("?" + urllib.parse.urlencode({"code": code, "state": got_state}), state)
            progress("exchanging")
            token = oauth.exchange_code(code)
            return self._verify(credentials_for(token), token, base_url, abandon)

        self._task = run_in_background(
            flow, self._signed_in, self._failed, on_progress=self._loopback_progress
        )

    def _loopback_progress(self, stage: str, *details: Any) -> None:
        if stage == "opened":
            self._catcher, url, self._state = details
            self._show_authorize_url(url)
            if self.status.styleSheet() == "":
                self.set_status(
                    self.tr(
                        "Waiting for the browser: agree to the authorisation there. "
                        "This window continues by itself."
                    )
                )
        elif stage == "exchanging":
            self._catcher = None
            self.set_status(self.tr("Authorised. Fetching the tokens and checking the shop…"))

    def continue_with_pasted(self) -> None:
        """Mode 1 with an https callback: the pasted redirect address (or code) → tokens → verify."""
        if self._oauth is None or self._state is None:
            self.set_status(self.tr("Press “Authorise in the browser” first."), error=True)
            return
        try:
            code = parse_redirect(self.pasted.text(), self._state)
        except api_errors.OAuthRedirectError as exc:
            self.set_status(str(exc), error=True)
            return
        oauth = self._oauth
        credentials_for = self._oauth_credentials_factory()
        base_url = self._endpoints()[0]
        self._cleanup_catcher()
        self._set_busy(True, self.tr("Fetching the tokens and checking the shop…"))
        abandon = self._new_step()

        def flow() -> tuple[SignInResult, Shop]:
            token = oauth.exchange_code(code)
            return self._verify(credentials_for(token), token, base_url, abandon)

        self._task = run_in_background(flow, self._signed_in, self._failed)

    def _oauth_credentials_factory(self) -> Callable[[OAuthToken], Credentials]:
        """(UI thread) capture the fields; the returned function builds the credentials from a token."""
        from desktop.core.kuaishou.client import Credentials

        app_key = self.app_key.text().strip()
        sign_secret = self.sign_secret.text().strip()
        sign_method = self.sign_method.currentText()
        app_secret = self.app_secret.text().strip()
        register_secret(sign_secret)

        def build(token: OAuthToken) -> Credentials:
            return Credentials(
                app_key=app_key,
                sign_secret=sign_secret,
                access_token=token.access_token,
                sign_method=sign_method,
                app_secret=app_secret,
                refresh_token=token.refresh_token,
            )

        return build

    # ------------------------------------------------------------------------------ mode 2
    def sign_in_with_token(self) -> None:
        from desktop.core.kuaishou.client import Credentials

        values = self._fields(
            (self.app_key, self.tr("App key")),
            (self.sign_secret, self.tr("Sign secret")),
            (self.access_token, self.tr("Access token")),
        )
        if values is None:
            return
        app_key, sign_secret, access_token = values
        refresh_token = self.refresh_token.text().strip() or None
        app_secret = self.token_app_secret.text().strip() or None
        for value in (sign_secret, access_token, refresh_token, app_secret):
            register_secret(value)
        credentials = Credentials(
            app_key=app_key,
            sign_secret=sign_secret,
            access_token=access_token,
            sign_method=self.sign_method.currentText(),
            app_secret=app_secret,
            refresh_token=refresh_token,
        )
        base_url = self._endpoints()[0]
        self._set_busy(True, self.tr("Checking the token…"))
        abandon = self._new_step()
        self._task = run_in_background(
            lambda: self._verify(credentials, None, base_url, abandon), self._signed_in, self._failed
        )

    # ------------------------------------------------------------------------------ common
    def _new_step(self) -> threading.Event:
        """A fresh "abandoned" flag for the step about to start (the previous one's stays set)."""
        self._abandon = threading.Event()
        return self._abandon

    def _verify(
        self, credentials: Credentials, token: OAuthToken | None, base_url: str, abandon: threading.Event
    ) -> tuple[SignInResult, Shop]:
        """(Worker thread) fetch the seller's name with the new credentials, then store the shop —
        unless the step was abandoned (Stop, Cancel, the dialog closed) meanwhile: then nothing is
        stored, neither the shop nor its secrets."""
        client = self.client_factory(credentials, base_url)
        try:
            seller = client.seller_info()
        finally:
            close = getattr(client, "close", None)
            if close is not None:
                close()
        if abandon.is_set():
            raise SignInAbandoned()
        result = SignInResult(
            seller=seller,
            credentials=credentials,
            base_url=base_url.rstrip("/"),
            auth_mode="oauth" if token is not None else "token",
            token_expires_at_ms=expiry_ms(getattr(token, "expires_in", None)),
            # the grant's 180 days (the exchange's answer does not say), kept across refreshes
            refresh_expires_at_ms=(
                refresh_expiry_ms(token, granted_at_ms=int(time.time() * 1000)) if token is not None else None
            ),
        )
        return result, self.shops.save_sign_in(result)

    def _signed_in(self, outcome: tuple[SignInResult, Shop]) -> None:
        result, shop = outcome
        self._task = None
        self._set_busy(False)
        name = result.seller.name or str(result.seller.seller_id)
        self.set_status(fill(self.tr("Signed in to %1."), name))
        self.signed_in.emit(shop)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self._catcher = None
        self._set_busy(False)
        self._state = None if isinstance(exc, api_errors.OAuthRedirectError | TimeoutError) else self._state
        self._mode_changed()
        self.set_status(describe_sign_in_error(exc), error=True)

    # ------------------------------------------------------------------------------ cancel
    def _cancel_clicked(self) -> None:
        if self._busy:
            self.stop()
        else:
            self.reject()

    def stop(self) -> None:
        """Abandon the running step (the loopback wait ends at once)."""
        self._abandon.set()
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._cleanup_catcher()
        self._set_busy(False)
        self.set_status(self.tr("Stopped."))

    def _cleanup_catcher(self) -> None:
        catcher, self._catcher = self._catcher, None
        if catcher is not None:
            catcher.cancel()  # ends the worker's wait at once; the worker closes the listener

    def _close_oauth(self) -> None:
        oauth, self._oauth = self._oauth, None
        if oauth is not None:
            oauth.close()

    def done(self, result: int) -> None:
        if self._busy:
            self.stop()
        self._close_oauth()  # its connections (a step still running finishes on them or fails)
        super().done(result)

    # ------------------------------------------------------------------------------ demo
    def fill_from_sandbox(self, sandbox: Sandbox) -> None:
        """Demo mode: the sandbox's credentials and addresses in the fields, the loopback redirect."""
        creds = sandbox.credentials
        self.app_key.setText(creds.app_key)
        self.sign_secret.setText(creds.sign_secret)
        self.sign_method.setCurrentText(creds.sign_method)
        self.app_secret.setText(creds.app_secret)
        self.redirect_uri.setText("http://127.0.0.1:0/callback")  # any free port
        self.base_url.setText(sandbox.base_url)
        self.authorize_url.setText(sandbox.authorize_url)
        self.tabs.setCurrentIndex(0)
