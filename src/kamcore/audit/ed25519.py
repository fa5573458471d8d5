"""Ed25519 signature verification in pure Python, written from RFC 8032 §5.1, for auditors without `cryptography`.

Standard library only, because `kamcore audit export` copies it into the standalone
`verify_bundle.py`. It only verifies (nothing secret passes through it), so constant time does
not matter; it is slow (milliseconds per signature), which is fine for a few checkpoints.

Points are kept in extended homogeneous coordinates (X:Y:Z:T) with x = X/Z, y = Y/Z, x*y = T/Z
on the twisted Edwards curve -x^2 + y^2 = 1 + d*x^2*y^2 over GF(p), p = 2^255 - 19.
"""

from __future__ import annotations

import hashlib

_P = 2**255 - 19
_L = 2**252 + 27742317777372353535851937790883648493  # the order of the base point
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_MINUS_ONE = pow(2, (_P - 1) // 4, _P)

_Point = tuple[int, int, int, int]
_NEUTRAL: _Point = (0, 1, 1, 0)


def _add(a: _Point, b: _Point) -> _Point:
    """RFC 8032 §5.1.4 addition; the formulas are complete, so they also double."""
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa = (y1 - x1) * (y2 - x2) % _P
    bb = (y1 + x1) * (y2 + x2) % _P
    cc = 2 * _D * t1 * t2 % _P
    dd = 2 * z1 * z2 % _P
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _multiply(scalar: int, point: _Point) -> _Point:
    result = _NEUTRAL
    while scalar:
        if scalar & 1:
            result = _add(result, point)
        point = _add(point, point)
        scalar >>= 1
    return result


def _same(a: _Point, b: _Point) -> bool:
    """Projective equality: x1/z1 == x2/z2 and y1/z1 == y2/z2."""
    return (a[0] * b[2] - b[0] * a[2]) % _P == 0 and (a[1] * b[2] - b[1] * a[2]) % _P == 0


def _recover_x(y: int, sign: int) -> int | None:
    """RFC 8032 §5.1.3 step 2-4: the x with x^2 = (y^2 - 1) / (d y^2 + 1) and the given low bit."""
    u = (y * y - 1) % _P
    v = (_D * y * y + 1) % _P
    x = u * pow(v, 3, _P) * pow(u * pow(v, 7, _P), (_P - 5) // 8, _P) % _P
    if (v * x * x - u) % _P != 0:
        if (v * x * x + u) % _P != 0:
            return None
        x = x * _SQRT_MINUS_ONE % _P
    if x == 0 and sign == 1:
        return None
    if x & 1 != sign:
        x = _P - x
    return x


def _decode_point(encoded: bytes) -> _Point | None:
    """RFC 8032 §5.1.3: 255 bits of y, little-endian, and the low bit of x in the top bit."""
    if len(encoded) != 32:
        return None
    number = int.from_bytes(encoded, "little")
    y = number & ((1 << 255) - 1)
    if y >= _P:
        return None
    x = _recover_x(y, number >> 255)
    if x is None:
        return None
    return (x, y, 1, x * y % _P)


_BASE = _decode_point((4 * pow(5, _P - 2, _P) % _P).to_bytes(32, "little"))  # y = 4/5, x even (§5.1)


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """RFC 8032 §5.1.7: True when `signature` is a valid Ed25519 signature of `message` under `public_key`."""
    if len(signature) != 64 or _BASE is None:
        return False
    point_a = _decode_point(public_key)
    point_r = _decode_point(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if point_a is None or point_r is None or s >= _L:
        return False
    k = int.from_bytes(hashlib.sha512(signature[:32] + public_key + message).digest(), "little") % _L
    # The cofactored check [8][S]B = [8]R + [8][k]A, as the RFC prefers.
    left = _multiply(8 * s, _BASE)
    right = _multiply(8, _add(point_r, _multiply(k, point_a)))
    return _same(left, right)
