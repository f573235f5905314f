"""yinxin (印信): trusted electronic licenses and seals, from Python.

The native library ``libyinxin_ffi.so`` sits beside this file (``bindings/python/run-tests.sh``
copies it here after ``cargo build --release -p yinxin-ffi``). Everything comes from the
generated module ``yinxin_ffi``:

* ``Authority``, ``Issuer``: issue licenses, sign status lists (backends).
* ``Wallet``, ``HolderKey``: the holder's licenses and key; ``Wallet.present`` makes QR text.
* ``Verifier``, ``VerifierConfig``, ``Verdict``: verify QR codes at a counter.
* ``inspect_seal``, ``verify_seal_signature``, ``verify_ofd``: electronic seals.
* ``YinxinError``: every failure, with a stable ``code`` and a ``message``.
"""

from .yinxin_ffi import *  # noqa: F401,F403
