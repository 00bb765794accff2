"""Settings → "Run replications on a cluster": the address of a Dask scheduler that runs the
simulation runs, the load sweep and the comparisons instead of this computer's processes
(docs/cluster.md tells how to start one). Kept in the app's settings (QSettings).

The connection check runs in a background thread, so the window never waits on the network.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from designer.files import settings

ENABLED_KEY = "cluster/enabled"
ADDRESS_KEY = "cluster/scheduler"
CHECK_TIMEOUT_S = 5.0
CHECK_POLL_MS = 100
_OK_STYLE = "QLabel { color: #1d6b2a; }"
_ERROR_STYLE = "QLabel { color: #8b1a1a; }"


def cluster_scheduler() -> str | None:
    """The scheduler address to run on, or None for this computer (the setting is off, or
    the address is empty)."""
    s = settings()
    if str(s.value(ENABLED_KEY, "false")).lower() not in ("true", "1"):
        return None
    address = str(s.value(ADDRESS_KEY, "") or "").strip()
    return address or None


def store_cluster_setting(enabled: bool, address: str) -> None:
    s = settings()
    s.setValue(ENABLED_KEY, bool(enabled))
    s.setValue(ADDRESS_KEY, address.strip())
    s.sync()


def _describe(address: str) -> str:
    from simcore.runner_dask import describe

    return describe(address, timeout_s=CHECK_TIMEOUT_S)


class ClusterSettingsDialog(QDialog):
    """The cluster setting: on/off, the scheduler's address, and a connection check."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Run replications on a cluster")
        self.setMinimumWidth(560)
        self._checking: Future | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cluster-check")

        s = settings()
        self.enabled = QCheckBox("Run replications on a cluster")
        self.enabled.setChecked(str(s.value(ENABLED_KEY, "false")).lower() in ("true", "1"))
        self.address = QLineEdit(str(s.value(ADDRESS_KEY, "") or ""))
        self.address.setPlaceholderText("tcp://192.168.1.10:8786")
        self.address.setMinimumWidth(300)
        self.check_button = QPushButton("Check connection")
        self.check_button.clicked.connect(self.check_connection)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        intro = QLabel("Simulation runs, load sweeps and comparisons go to a Dask scheduler "
                       "that hands them to the workers of a lab or a classroom. Every worker "
                       "needs Skyline installed; the design travels with each run. Use a "
                       "trusted network only: a scheduler runs whatever it is sent.")
        intro.setWordWrap(True)

        row = QHBoxLayout()
        row.addWidget(self.address, 1)
        row.addWidget(self.check_button)
        form = QFormLayout()
        form.addRow("Scheduler address", row)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(self.enabled)
        lay.addLayout(form)
        lay.addWidget(self.status)
        lay.addStretch(1)
        lay.addWidget(buttons)
        self.enabled.toggled.connect(self._sync_enabled)
        self._sync_enabled(self.enabled.isChecked())
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_POLL_MS)
        self._timer.timeout.connect(self._poll_check)

    def _sync_enabled(self, on: bool) -> None:
        self.address.setEnabled(on)
        self.check_button.setEnabled(on and self._checking is None)

    def check_connection(self) -> None:
        """Ask the scheduler for its workers, in the background; the answer appears below."""
        from simcore.runner_dask import ClusterError, check_address

        try:
            address = check_address(self.address.text())
        except ClusterError as exc:
            self._show(str(exc), ok=False)
            return
        self._show(f"Connecting to {address}…", ok=None)
        self.check_button.setEnabled(False)
        self._checking = self._pool.submit(_describe, address)
        self._timer.start()

    def _poll_check(self) -> None:
        fut = self._checking
        if fut is None or not fut.done():
            return
        self._timer.stop()
        self._checking = None
        self.check_button.setEnabled(self.enabled.isChecked())
        try:
            self._show(f"Connected: {fut.result()}.", ok=True)
        except Exception as exc:  # noqa: BLE001 - any failure is shown as the check's answer
            self._show(f"{exc}", ok=False)

    def is_checking(self) -> bool:
        return self._checking is not None

    def _show(self, text: str, ok: bool | None) -> None:
        self.status.setText(text[:1].upper() + text[1:])
        self.status.setStyleSheet("" if ok is None else _OK_STYLE if ok else _ERROR_STYLE)
        self.adjustSize()  # a long answer wraps onto more lines: make room for them

    def accept(self) -> None:
        from simcore.runner_dask import ClusterError, check_address

        if self.enabled.isChecked():
            try:
                check_address(self.address.text())
            except ClusterError as exc:
                self._show(str(exc), ok=False)
                return
        store_cluster_setting(self.enabled.isChecked(), self.address.text())
        super().accept()

    def done(self, result: int) -> None:
        self._timer.stop()
        self._pool.shutdown(wait=False, cancel_futures=True)
        super().done(result)


def open_cluster_settings(parent=None) -> bool:
    """Show the cluster setting; True when the user saved it."""
    return ClusterSettingsDialog(parent).exec() == QDialog.Accepted
