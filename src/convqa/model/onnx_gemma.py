"""EmbeddingGemma's sentence-transformers folder, written as one ONNX graph for questions.

Gemma3TextModel's forward pass as transformers 5 computes it with bidirectional
attention (``use_bidirectional_attention``): scaled token embeddings; per layer, RMSNorm
with ``(1 + w)``, grouped-query attention with per-head q/k RMSNorm, rotary positions
(``rope_local_base_freq`` on sliding layers, ``rope_theta`` on full ones) and, on sliding
layers, the window |i − j| < ``sliding_window // 2 + 1`` (as transformers reads it); a gated tanh-GELU MLP between pre- and
post-norms; a final norm. Then what the folder's sentence-transformers modules do: mean
pooling, the two bias-free Dense layers and Normalize. tests/model/test_gemma.py
checks it against the torch path (cosine ≥ 0.999, a text past the window included).

The 1.2 GB of weights are not copied: the graph's large tensors point into the folder's
``model.safetensors`` (byte offsets from its header), which the caller links beside the
graph. Linear weights stay as nn.Linear stores them ([out, in]) and are applied with
``Gemm(transB=1)`` on [tokens, hidden] rows, so nothing is transposed at load either.

Inputs ``input_ids`` and ``attention_mask`` (int64, [batch, tokens]); output
``sentence_embedding`` (float32, [batch, 768], unit length).
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from convqa.model.onnx_graph import (
    _Graph,
    check_mean_pooled_normalised,
    mean_pool,
    normalize,
    padding_bias,
    save_encoder,
)

#: Tensors larger than this stay in the safetensors file; smaller ones (norms) go inline.
_INLINE_BYTES = 64 * 1024


def _safetensors_index(path: Path) -> tuple[int, dict]:
    """Where the file's tensor bytes start, and its header (name → dtype, shape, offsets)."""
    with open(path, "rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(size))
    header.pop("__metadata__", None)
    return 8 + size, header


class _Weights:
    """The folder's tensors: large ones as external references, small ones read inline."""

    def __init__(self, g: _Graph, safetensors: Path, location: str) -> None:
        self.g, self.path, self.location = g, safetensors, location
        self.base, self.header = _safetensors_index(safetensors)
        self._added: set[str] = set()

    def _span(self, name: str) -> tuple[list[int], int, int]:
        """The tensor's shape and byte range in the file's data; refused unless float32."""
        entry = self.header[name]
        if entry["dtype"] != "F32":
            raise ValueError(f"{self.path}: {name} is {entry['dtype']}, only float32 weights are written to ONNX")
        start, end = entry["data_offsets"]
        return entry["shape"], start, end

    def array(self, name: str) -> np.ndarray:
        """The tensor read into memory (float32)."""
        shape, start, end = self._span(name)
        with open(self.path, "rb") as f:
            f.seek(self.base + start)
            data = f.read(end - start)
        return np.frombuffer(data, dtype="<f4").reshape(shape).astype(np.float32)

    def ref(self, name: str) -> str:
        """An initializer for the tensor: pointing into the safetensors file when large."""
        from onnx import TensorProto

        if name in self._added:
            return name
        shape, start, end = self._span(name)
        if end - start <= _INLINE_BYTES:
            self.g.const(name, self.array(name))
        else:
            tensor = TensorProto(name=name, data_type=TensorProto.FLOAT, dims=shape)
            tensor.data_location = TensorProto.EXTERNAL
            for key, value in (("location", self.location), ("offset", self.base + start), ("length", end - start)):
                entry_proto = tensor.external_data.add()
                entry_proto.key, entry_proto.value = key, str(value)
            self.g.weights.append(tensor)
        self._added.add(name)
        return name


def _rms_norm(g: _Graph, w: _Weights, x: str, name: str, eps: float) -> str:
    """Gemma's RMSNorm: ``x / sqrt(mean(x²) + eps) * (1 + w)`` over the last axis."""
    scale = g.const(name + ".scale", 1.0 + w.array(name))
    mean_sq = g.op("ReduceMean", g.op("Mul", x, x), axes=[-1], keepdims=1)  # axes: an attribute until opset 18
    inv = g.op("Reciprocal", g.op("Sqrt", g.op("Add", mean_sq, g.const(name + ".eps", np.array(eps, np.float32)))))
    return g.op("Mul", g.op("Mul", x, inv), scale)


def _linear(g: _Graph, w: _Weights, x2d: str, name: str) -> str:
    """``x @ W.T`` on [rows, in], with W as nn.Linear stores it ([out, in])."""
    return g.op("Gemm", x2d, w.ref(name + ".weight"), transB=1)


def _gelu_tanh(g: _Graph, x: str, name: str) -> str:
    """GELU with the tanh approximation ("gelu_pytorch_tanh")."""
    c = g.const(name + ".c", np.array(np.sqrt(2.0 / np.pi), np.float32))
    k = g.const(name + ".k", np.array(0.044715, np.float32))
    one = g.const(name + ".one", np.array(1.0, np.float32))
    half = g.const(name + ".half", np.array(0.5, np.float32))
    inner = g.op("Mul", c, g.op("Add", x, g.op("Mul", k, g.op("Mul", x, g.op("Mul", x, x)))))
    return g.op("Mul", g.op("Mul", half, x), g.op("Add", one, g.op("Tanh", inner)))


def _rope_tables(g: _Graph, name: str, base: float, head_dim: int, max_positions: int, tokens: str) -> tuple[str, str]:
    """cos and sin of positions 0..tokens−1, [tokens, 1, head_dim] (transformers' default RoPE)."""
    inv_freq = 1.0 / (base ** (np.arange(0, head_dim, 2, dtype=np.float32) / head_dim))
    freqs = np.arange(max_positions, dtype=np.float32)[:, None] * inv_freq[None, :]
    emb = np.concatenate([freqs, freqs], axis=-1)[:, None, :]  # [positions, 1, head_dim]
    zero = g.const(name + ".zero", np.array([0], np.int64))
    cos = g.op("Slice", g.const(name + ".cos", np.cos(emb).astype(np.float32)), zero, tokens, zero)
    sin = g.op("Slice", g.const(name + ".sin", np.sin(emb).astype(np.float32)), zero, tokens, zero)
    return cos, sin


def _rotate(g: _Graph, x: str, cos: str, sin: str, half: int, name: str) -> str:
    """``x * cos + rotate_half(x) * sin`` on [batch, tokens, heads, head_dim]."""
    axis = g.const(name + ".axis", np.array([-1], np.int64))
    mid = g.const(name + ".mid", np.array([half], np.int64))
    start = g.const(name + ".start", np.array([0], np.int64))
    end = g.const(name + ".end", np.array([2 * half], np.int64))
    x1 = g.op("Slice", x, start, mid, axis)
    x2 = g.op("Slice", x, mid, end, axis)
    rotated = g.op("Concat", g.op("Neg", x2), x1, axis=-1)
    return g.op("Add", g.op("Mul", x, cos), g.op("Mul", rotated, sin))


def _checked_config(folder: Path) -> dict:
    """The folder's config.json, refused unless it is the Gemma3 variant this module writes."""
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    if config.get("model_type") != "gemma3_text" or not config.get("use_bidirectional_attention"):
        raise ValueError(f"{folder}: only a bidirectional Gemma3TextModel is written to ONNX this way")
    if config.get("rope_scaling") or config.get("attn_logit_softcapping") or config.get("attention_bias"):
        raise ValueError(f"{folder}: rope scaling, logit softcapping and attention biases are not written")
    if config.get("hidden_activation") != "gelu_pytorch_tanh":
        raise ValueError(f"{folder}: only the tanh GELU is written")
    return config


@dataclass
class _Layers:
    """What every decoder layer shares: the graph, the weights, the sizes and the batch's shape."""

    g: _Graph
    w: _Weights
    shape: str  # [batch, tokens]
    heads: int
    kv_heads: int
    head_dim: int
    eps: float
    scale: str

    def i64(self, name: str, *values: int) -> str:
        return self.g.const(name, np.array(values, np.int64))

    def reshape(self, x: str, *tail: int) -> str:
        """[batch·tokens, …] -> [batch, tokens, *tail]."""
        return self.g.op("Reshape", x, self.g.op("Concat", self.shape, self.i64(f"tail_{self.g._n}", *tail), axis=0))


def _self_attention(c: _Layers, h: str, p: str, bias: str, rope: tuple[str, str]) -> str:
    """Grouped-query attention of one layer on [batch·tokens, hidden] rows, before o_proj's norm."""
    g, w, d = c.g, c.w, c.head_dim
    cos, sin = rope

    def project(name: str, n_heads: int, norm: str | None) -> str:
        out = c.reshape(_linear(g, w, h, f"{p}.self_attn.{name}"), n_heads, d)
        if norm is None:
            return out
        normed = _rms_norm(g, w, out, f"{p}.self_attn.{norm}.weight", c.eps)
        return _rotate(g, normed, cos, sin, d // 2, f"{p}.{name}.rope")

    q = g.op("Transpose", project("q_proj", c.heads, "q_norm"), perm=[0, 2, 1, 3])  # [b, h, t, d]
    k = g.op("Transpose", project("k_proj", c.kv_heads, "k_norm"), perm=[0, 2, 3, 1])  # [b, kv, d, t]
    v = g.op("Transpose", project("v_proj", c.kv_heads, None), perm=[0, 2, 1, 3])  # [b, kv, t, d]
    grouped = c.kv_heads != c.heads
    if grouped:  # each key/value head serves heads/kv_heads queries: [b, kv, group, t, d]
        batch = g.op("Shape", q, start=0, end=1)
        groups = c.i64(f"{p}.gqa", c.kv_heads, c.heads // c.kv_heads, -1, d)
        q = g.op("Reshape", q, g.op("Concat", batch, groups, axis=0))
        k, v = (g.op("Unsqueeze", t, c.i64(f"{p}.{n}.axis", 2)) for n, t in (("k", k), ("v", v)))
        bias = g.op("Unsqueeze", bias, c.i64(f"{p}.bias_axis", 2))
    scores = g.op("Add", g.op("Mul", g.op("MatMul", q, k), c.scale), bias)
    context = g.op("MatMul", g.op("Softmax", scores, axis=-1), v)
    if grouped:
        batch = g.op("Shape", context, start=0, end=1)
        context = g.op("Reshape", context, g.op("Concat", batch, c.i64(f"{p}.ungqa", c.heads, -1, d), axis=0))
    merged = g.op("Reshape", g.op("Transpose", context, perm=[0, 2, 1, 3]), c.i64(f"{p}.merge", -1, c.heads * d))
    return _linear(g, w, merged, f"{p}.self_attn.o_proj")


def _decoder_layer(c: _Layers, x: str, p: str, bias: str, rope: tuple[str, str]) -> str:
    """One Gemma3DecoderLayer: norms around attention and around the gated MLP, each added back."""
    g, w, eps = c.g, c.w, c.eps
    h = _rms_norm(g, w, x, f"{p}.input_layernorm.weight", eps)
    x = g.op(
        "Add", x, _rms_norm(g, w, _self_attention(c, h, p, bias, rope), f"{p}.post_attention_layernorm.weight", eps)
    )
    h = _rms_norm(g, w, x, f"{p}.pre_feedforward_layernorm.weight", eps)
    gate = _gelu_tanh(g, _linear(g, w, h, f"{p}.mlp.gate_proj"), f"{p}.gelu")
    gated = g.op("Mul", gate, _linear(g, w, h, f"{p}.mlp.up_proj"))
    down = _linear(g, w, gated, f"{p}.mlp.down_proj")
    return g.op("Add", x, _rms_norm(g, w, down, f"{p}.post_feedforward_layernorm.weight", eps))


def write_gemma_onnx(folder: Path, graph_path: Path, weights_name: str) -> None:
    """Write the folder's model as ``graph_path``; its large tensors read ``weights_name`` beside it.

    ``weights_name`` must be (a link to) the folder's ``model.safetensors``, byte for byte.
    """
    from onnx import TensorProto

    config = _checked_config(folder)
    hidden, head_dim = config["hidden_size"], config["head_dim"]
    # With bidirectional attention transformers' Gemma3TextConfig turns the stored window into an
    # exclusive half-width, sliding_window // 2 + 1: a sliding layer's token sees 256 tokens each way.
    window = int(config["sliding_window"]) // 2 + 1
    max_positions = int(config["max_position_embeddings"])

    g = _Graph()
    w = _Weights(g, folder / "model.safetensors", weights_name)
    scale = g.const("attn_scale", np.array(float(config["query_pre_attn_scalar"]) ** -0.5, np.float32))
    c = _Layers(
        g,
        w,
        g.op("Shape", "input_ids"),
        config["num_attention_heads"],
        config["num_key_value_heads"],
        head_dim,
        float(config["rms_norm_eps"]),
        scale,
    )
    tokens = g.op("Shape", "input_ids", start=1, end=2)
    words = g.op("Gather", w.ref("embed_tokens.weight"), "input_ids")
    x = g.op(
        "Reshape",
        g.op("Mul", words, g.const("embed_scale", np.array(hidden**0.5, np.float32))),
        c.i64("rows", -1, hidden),
    )

    mask = g.op("Cast", "attention_mask", to=TensorProto.FLOAT)
    padding = padding_bias(g, mask)  # [batch, 1, 1, tokens]
    # Sliding layers: keys further than the window from the query are masked too, both ways.
    positions = g.op("Range", c.i64("pos_start", 0), g.op("Squeeze", tokens), c.i64("pos_step", 1))
    distance = g.op("Abs", g.op("Sub", g.op("Unsqueeze", positions, c.i64("axis_1", 1)), positions))
    outside = g.op("Cast", g.op("Not", g.op("Less", distance, c.i64("window", window))), to=TensorProto.FLOAT)
    sliding = g.op("Add", padding, g.op("Mul", outside, g.const("window_min", np.array(-1e30, np.float32))))
    biases = {"full_attention": padding, "sliding_attention": sliding}
    ropes = {
        "full_attention": _rope_tables(g, "rope_global", float(config["rope_theta"]), head_dim, max_positions, tokens),
        "sliding_attention": _rope_tables(
            g, "rope_local", float(config["rope_local_base_freq"]), head_dim, max_positions, tokens
        ),
    }
    for i, kind in enumerate(config["layer_types"][: config["num_hidden_layers"]]):
        x = _decoder_layer(c, x, f"layers.{i}", biases[kind], ropes[kind])
    x = c.reshape(_rms_norm(g, w, x, "norm.weight", c.eps), hidden)  # [batch, tokens, hidden]

    # sentence-transformers: mean over attended tokens, the Dense layers (no bias), Normalize.
    y = mean_pool(g, x, mask)
    for dense in _dense_layers(folder):
        y = g.op("MatMul", y, g.const(f"{dense.parent.name}.weight", _dense_weight(dense)))
    save_encoder(g, normalize(g, y), graph_path)  # the large tensors already point into the safetensors


def _dense_layers(folder: Path) -> list[Path]:
    """The folder's Dense modules' weight files, in module order (checked: no bias, identity activation)."""
    files = []
    for module in check_mean_pooled_normalised(folder):
        if not module["type"].endswith("Dense"):
            continue
        config = json.loads((folder / module["path"] / "config.json").read_text(encoding="utf-8"))
        if config.get("bias") or not config.get("activation_function", "").endswith("Identity"):
            raise ValueError(f"{folder}: only bias-free, linear Dense layers are written to ONNX")
        files.append(folder / module["path"] / "model.safetensors")
    return files


def _dense_weight(path: Path) -> np.ndarray:
    """A Dense layer's weight, transposed for ``y @ W.T``."""
    from safetensors.numpy import load_file

    return np.ascontiguousarray(load_file(str(path))["linear.weight"].astype(np.float32).T)
