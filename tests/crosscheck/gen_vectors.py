#!/usr/bin/env python3
"""Independent implementation of the pm wire formats, for tests/pm_crosscheck.rs.

Uses eth-account (EIP-191 signing and recovery), eth-abi (abi.encodePacked) and eth-hash
(keccak256) from PyPI; nothing here shares code with the Rust side.

  gen_vectors.py gen OUT.json [N]   write N random cases of each kind (seeded, reproducible)
  gen_vectors.py verify IN.json     check signatures made by the Rust side; exit 1 on a mismatch

Install: python3 -m venv .venv && .venv/bin/pip install eth-account eth-abi 'eth-hash[pycryptodome]'
"""
import hashlib
import hmac
import json
import random
import sys
from fractions import Fraction

from eth_abi.packed import encode_packed
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_hash.auto import keccak

MAX = 2**256 - 1


def minimal(n: int) -> bytes:
    """Go big.Int.Bytes(): minimal big-endian, empty for zero."""
    return n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""


def aux_data(rnd: int, block_hash: bytes) -> bytes:
    if rnd == 0 and block_hash == b"\x00" * 32:
        return b""
    return encode_packed(["uint256", "bytes32"], [rnd, block_hash])


def ticket_hash(t: dict) -> bytes:
    packed = encode_packed(
        ["address", "address", "uint256", "uint256", "uint256", "bytes32", "bytes"],
        [
            t["recipient"],
            t["sender"],
            int(t["face_value"]),
            int(t["win_prob"]),
            t["nonce"],
            bytes.fromhex(t["recipient_rand_hash"]),
            aux_data(t["creation_round"], bytes.fromhex(t["creation_round_block_hash"])),
        ],
    )
    return keccak(packed)


def rand_big(rng: random.Random) -> int:
    bits = rng.choice([0, 1, 8, 64, 128, 255, 256])
    return rng.getrandbits(bits) if bits else 0


def rand_addr(rng: random.Random) -> str:
    return "0x" + rng.randbytes(20).hex()


def rand_ticket(rng: random.Random) -> dict:
    rnd = rng.choice([0, 0, 1, rng.getrandbits(32)])
    bh = rng.choice([b"\x00" * 32, rng.randbytes(32)])
    return {
        "recipient": rand_addr(rng),
        "sender": rand_addr(rng),
        "face_value": str(rand_big(rng)),
        "win_prob": str(rand_big(rng)),
        "nonce": rng.getrandbits(32),
        "recipient_rand_hash": rng.randbytes(32).hex(),
        "creation_round": rnd,
        "creation_round_block_hash": bh.hex(),
    }


def win_prob(ev: int, fv: int) -> int:
    if fv == 0:
        return 0
    if fv == ev:
        return MAX
    q, r = divmod(MAX, fv)
    return ev * (q + 1 if r else q)


def gen(out: str, n: int) -> None:
    rng = random.Random(20261124)
    cases = {"ticket_hash": [], "py_signed": [], "win_prob": [], "rand_hash": [], "winning": [], "hmac": [], "ev": []}
    for _ in range(n):
        t = rand_ticket(rng)
        t["hash"] = ticket_hash(t).hex()
        cases["ticket_hash"].append(t)

        key = rng.randbytes(32)
        acct = Account.from_key(key)
        msg = rng.randbytes(32)
        signed = Account.sign_message(encode_defunct(primitive=msg), key)
        sig = signed.signature
        assert Account.recover_message(encode_defunct(primitive=msg), signature=sig) == acct.address
        cases["py_signed"].append({"address": acct.address, "msg": msg.hex(), "sig": bytes(sig).hex()})

        ev = rng.choice([rng.getrandbits(40), rng.getrandbits(64), 5])
        fv = rng.choice([ev, 0, ev * 100, rng.getrandbits(rng.choice([40, 64, 128, 200]))])
        wp = win_prob(ev, fv)
        cases["win_prob"].append({"ev": str(ev), "face_value": str(fv), "win_prob": str(wp) if wp <= MAX else None})

        r = rand_big(rng)
        cases["rand_hash"].append({"rand": str(r), "hash": keccak(r.to_bytes(32, "big")).hex()})

        sig = rng.randbytes(65)
        wp = rng.choice([0, MAX, rng.getrandbits(256), rng.getrandbits(250)])
        h = int.from_bytes(keccak(sig + r.to_bytes(32, "big")), "big")
        cases["winning"].append({"sig": sig.hex(), "rand": str(r), "win_prob": str(wp), "wins": h < wp})

        secret = rng.randbytes(32)
        seed, fv2, wp2 = rand_big(rng), rand_big(rng), rand_big(rng)
        exp_block = rng.getrandbits(rng.choice([0, 8, 32, 64]))
        ppu = rng.choice([0, 1, 1200, rng.getrandbits(40), -rng.getrandbits(20)])
        ppx = rng.choice([1, 3, 1000, rng.getrandbits(30) + 1])
        price = Fraction(ppu, ppx)  # reduced, like Go's big.Rat
        rnd = rng.choice([0, rng.getrandbits(20)])
        bh = rng.choice([b"\x00" * 32, rng.randbytes(32)])
        sender = rng.randbytes(20)
        msg = (minimal(seed) + sender + minimal(fv2) + minimal(wp2) + minimal(exp_block)
               + minimal(abs(price.numerator)) + minimal(price.denominator) + aux_data(rnd, bh))
        rand = int.from_bytes(hmac.new(secret, msg, hashlib.sha256).digest(), "big")
        cases["hmac"].append({
            "secret": secret.hex(), "seed": str(seed), "sender": sender.hex(), "face_value": str(fv2),
            "win_prob": str(wp2), "expiration_block": exp_block, "price_per_unit": ppu, "pixels_per_unit": ppx,
            "creation_round": rnd, "creation_round_block_hash": bh.hex(), "rand": str(rand),
            "rand_hash": keccak(rand.to_bytes(32, "big")).hex(),
        })

        e = Fraction(fv2 * wp2, MAX)
        cases["ev"].append({"face_value": str(fv2), "win_prob": str(wp2), "numer": str(e.numerator), "denom": str(e.denominator)})
    with open(out, "w") as f:
        json.dump(cases, f)


def verify(path: str) -> None:
    with open(path) as f:
        cases = json.load(f)
    bad = 0
    for c in cases["rust_signed"]:
        got = Account.recover_message(encode_defunct(primitive=bytes.fromhex(c["msg"])), signature=bytes.fromhex(c["sig"]))
        if got.lower() != c["address"].lower():
            bad += 1
            print(f"mismatch: {c} recovered {got}")
    for t in cases["rust_hashes"]:
        if ticket_hash(t).hex() != t["hash"]:
            bad += 1
            print(f"hash mismatch: {t}")
    print(f"verified {len(cases['rust_signed'])} signatures and {len(cases['rust_hashes'])} hashes, {bad} bad")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "gen":
        gen(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 200)
    elif len(sys.argv) == 3 and sys.argv[1] == "verify":
        verify(sys.argv[2])
    else:
        sys.exit(__doc__)
