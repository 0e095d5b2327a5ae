"""A batch's copies against every earlier article of the state.

The one-shot duplicate stage (:func:`storyclust.dedup.deduplicate`) links two articles when their shingle sets
are identical, or when the sets share a MinHash LSH band key and pass exact verification
(:func:`storyclust.dedup.verify.verify`); its groups are the connected components of those links. Both tests
depend only on the two shingle sets, so the components of a corpus do not depend on how it is cut into batches.
The state keeps each distinct non-empty set once (its hashes, its band keys, its component); a batch is

    shingled (dedup.shingles) -> sets identical to a stored set join it (key lookup, then the hashes compared)
    -> new distinct sets: MinHash (dedup.minhash), band keys looked up in the state and banded among themselves
       (dedup.lsh.candidate_pairs) -> the candidates verified on exact sets (dedup.verify.verify)
    -> components united (the oldest component id survives) -> each touched group's canonical article by the
       README's rule (dedup.groups.canonical: earliest dated, then longest, then first read across runs)

so the groups after any replay of a corpus are those of the one-shot run over the same articles in the same
read order.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

import numpy as np

from ..dedup.lsh import candidate_pairs
from ..dedup.minhash import minhash
from ..dedup.shingles import Shingles
from ..dedup.verify import verify
from ..hashing import GOLDEN, MIX_1
from ..settings import DedupConfig
from .db import checkpoint

__all__ = ["CopyChanges", "add_copies", "band_keys", "set_keys"]


def set_keys(shingles: Shingles) -> np.ndarray:
    """One uint64 identity key per set (XOR of its hashes, mixed with its size); equal sets, equal keys."""
    n = len(shingles)
    sizes = shingles.sizes
    keys = np.zeros(n, np.uint64)
    nonempty = sizes > 0
    if shingles.hashes.size:
        keys[nonempty] = np.bitwise_xor.reduceat(shingles.hashes, shingles.offsets[:-1][nonempty])
    return keys ^ (sizes.astype(np.uint64) * GOLDEN)


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """``(n, bands)`` uint64: one key per band of each signature; two signatures share a band's key when all
    ``rows`` values of that band are equal (the banding rule of :func:`storyclust.dedup.lsh.candidate_pairs`).
    Exact for rows <= 2; beyond, a 64-bit mix whose rare collisions only add a candidate verification rejects."""
    n = len(signatures)
    out = np.zeros((n, bands), np.uint64)
    for b in range(bands):
        band = signatures[:, b * rows : (b + 1) * rows].astype(np.uint64)
        if rows == 1:
            out[:, b] = band[:, 0]
        elif rows == 2:
            out[:, b] = (band[:, 0] << np.uint64(32)) | band[:, 1]
        else:
            key = np.zeros(n, np.uint64)
            for col in range(rows):
                key = (key ^ band[:, col]) * GOLDEN
                key ^= key >> np.uint64(29)
                key *= MIX_1
            out[:, b] = key
    return out


def _signed(x: np.ndarray) -> list[int]:
    return np.asarray(x, np.uint64).view(np.int64).tolist()


def _stack(parts: list[np.ndarray]) -> Shingles:
    offsets = np.zeros(len(parts) + 1, np.int64)
    np.cumsum([len(p) for p in parts], out=offsets[1:])
    return Shingles(np.concatenate(parts) if parts else np.zeros(0, np.uint64), offsets)


@dataclass
class CopyChanges:
    """What a batch changed in the duplicate tables: ``set_of`` per new article (-1: empty set), the components
    it touched (``touched``: component id after the run), the old components merged into another
    (``absorbed``: old id -> surviving id), and the verified pairs found."""

    set_of: np.ndarray
    touched: set[int] = field(default_factory=set)
    absorbed: dict[int, int] = field(default_factory=dict)
    pairs: int = 0
    candidates: int = 0


class _Union:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while x != root:
            self.parent[x], x = root, self.parent.get(x, x)
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:  # the older (smaller) component id survives
            self.parent[max(ra, rb)] = min(ra, rb)


def add_copies(conn: sqlite3.Connection, shingles: Shingles, run_id: int, config: DedupConfig) -> CopyChanges:
    """Store the batch's shingle sets (``shingles``, one per new article, in read order), link them to the
    state's sets and unite the components. Articles are not written here; the caller stores ``set_of``."""
    n = len(shingles)
    keys = set_keys(shingles)
    sizes = shingles.sizes
    set_of = np.full(n, -1, np.int64)
    changes = CopyChanges(set_of)
    next_set = (conn.execute("SELECT COALESCE(MAX(set_id), -1) FROM sets").fetchone()[0]) + 1

    # 1. Sets identical to a stored set, or to an earlier set of this batch.
    fresh: dict[tuple[int, bytes], int] = {}
    new_sets: list[int] = []  # batch index standing for each new set
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS batch_keys (key INTEGER)")
    conn.execute("DELETE FROM batch_keys")
    nonempty = np.flatnonzero(sizes > 0)
    conn.executemany("INSERT INTO batch_keys VALUES (?)", ((k,) for k in _signed(np.unique(keys[nonempty]))))
    stored: dict[int, list[tuple[int, bytes]]] = {}
    for set_id, key, blob in conn.execute(
        "SELECT s.set_id, s.set_key, s.hashes FROM sets s JOIN batch_keys b ON s.set_key = b.key"
    ):
        stored.setdefault(key, []).append((set_id, blob))
    signed = keys.view(np.int64)
    for i in nonempty.tolist():
        blob = shingles.of(i).tobytes()
        found = next((sid for sid, b in stored.get(int(signed[i]), ()) if b == blob), None)
        if found is None:
            found = fresh.get((int(signed[i]), blob))
        if found is None:
            found = next_set + len(new_sets)
            fresh[(int(signed[i]), blob)] = found
            new_sets.append(i)
        set_of[i] = found
    checkpoint("sets")

    union = _Union()
    touched_sets = {int(s) for s in set_of[set_of >= 0].tolist()}
    if new_sets:
        new_shingles = _stack([shingles.of(i) for i in new_sets])
        ids = next_set + np.arange(len(new_sets))
        conn.executemany(
            "INSERT INTO sets VALUES (?, ?, ?, ?, ?)",
            ((int(s), int(signed[i]), int(sizes[i]), shingles.of(i).tobytes(), int(s)) for s, i in zip(ids, new_sets)),
        )
        # 2. Candidates: among the new sets, and against the stored sets' band keys.
        bands, rows = config.bands_rows
        signatures = minhash(new_shingles, num_perm=config.num_perm, seed=config.seed)
        within = candidate_pairs(signatures, bands, rows)
        keys_new = band_keys(signatures, bands, rows)
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS batch_bands (band INTEGER, key INTEGER, local INTEGER)")
        conn.execute("DELETE FROM batch_bands")
        band_index = np.repeat(np.arange(bands)[None, :], len(new_sets), axis=0)
        local_index = np.repeat(np.arange(len(new_sets))[:, None], bands, axis=1)
        conn.executemany("INSERT INTO batch_bands VALUES (?, ?, ?)",
                         zip(band_index.ravel().tolist(), _signed(keys_new.ravel()), local_index.ravel().tolist()))
        cross = np.array(
            conn.execute(
                "SELECT DISTINCT b.local, k.set_id FROM batch_bands b JOIN band_keys k "
                "ON k.band = b.band AND k.key = b.key"
            ).fetchall(),
            np.int64,
        ).reshape(-1, 2)
        checkpoint("bands")
        conn.executemany("INSERT INTO band_keys VALUES (?, ?, ?)",
                         zip(band_index.ravel().tolist(), _signed(keys_new.ravel()), ids[local_index.ravel()].tolist()))
        # 3. Exact verification on one Shingles holding the new sets, then the stored sets they met.
        old_ids = np.unique(cross[:, 1])
        old_parts = []
        for start in range(0, len(old_ids), 900):
            chunk = old_ids[start : start + 900].tolist()
            rows_ = dict(conn.execute(
                f"SELECT set_id, hashes FROM sets WHERE set_id IN ({','.join('?' * len(chunk))})", chunk))
            old_parts.extend(np.frombuffer(rows_[s], np.uint64) for s in chunk)
        joint = _stack([new_shingles.of(i) for i in range(len(new_sets))] + old_parts)
        position = {int(s): len(new_sets) + k for k, s in enumerate(old_ids.tolist())}
        cross_local = np.stack((cross[:, 0], np.array([position[int(s)] for s in cross[:, 1]], np.int64)), axis=1) \
            if len(cross) else np.empty((0, 2), np.int64)
        candidates = np.concatenate((within, cross_local))
        changes.candidates = len(candidates)
        verified = verify(joint, candidates, config)
        checkpoint("verify")
        global_id = np.concatenate((ids, old_ids)).astype(np.int64)
        pairs = global_id[verified.pairs] if len(verified.pairs) else np.empty((0, 2), np.int64)
        pairs = np.sort(pairs, axis=1)
        conn.executemany("INSERT OR IGNORE INTO set_pairs VALUES (?, ?, ?, ?, ?)",
                         zip(pairs[:, 0].tolist(), pairs[:, 1].tolist(), verified.jaccard.tolist(),
                             verified.containment.tolist(), [run_id] * len(pairs)))
        changes.pairs = len(pairs)
        touched_sets.update(old_ids.tolist())
        # 4. Components.
        component = {int(s): int(s) for s in ids.tolist()}
        for chunk_start in range(0, len(old_ids), 900):
            chunk = old_ids[chunk_start : chunk_start + 900].tolist()
            component.update(conn.execute(
                f"SELECT set_id, component FROM sets WHERE set_id IN ({','.join('?' * len(chunk))})", chunk))
        for a, b in pairs.tolist():
            union.union(component[a], component[b])
        roots = {c: union.find(c) for c in set(component.values())}
        for old, new in roots.items():
            if old != new:
                conn.execute("UPDATE sets SET component = ? WHERE component = ?", (new, old))
                if old < next_set:
                    changes.absorbed[old] = new
        changes.touched.update(roots.values())
    # Components of stored sets that only gained an identical article are touched too.
    for chunk_start in range(0, len(touched_sets), 900):
        chunk = sorted(touched_sets)[chunk_start : chunk_start + 900]
        changes.touched.update(c for (c,) in conn.execute(
            f"SELECT component FROM sets WHERE set_id IN ({','.join('?' * len(chunk))})", chunk))
    return changes
