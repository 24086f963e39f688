"""A BertModel folder, with mean pooling and normalisation, written as one ONNX graph.

Built op by op from the folder's ``config.json`` and ``model.safetensors`` (numpy only),
so exporting needs neither torch nor a trace: it takes seconds, where torch's exporter
took 22-46 s on top of importing torch, and every fresh data folder (each test's, a new
install) exports once. The graph is BertModel's forward pass as transformers computes it
(absolute positions, token type 0, post-LayerNorm layers, exact-erf GELU), then what
sentence-transformers' Pooling and Normalize modules do; ``scripts/bench_cli.py`` and
tests/model/test_onnx_encoder.py check it against the torch path (cosine ≥ 0.999).

Inputs ``input_ids`` and ``attention_mask`` (int64, [batch, tokens]); output
``sentence_embedding`` (float32, [batch, hidden], unit length).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

#: ONNX opset: LayerNormalization is an operator from 17 on; ReduceL2 still takes axes as an attribute.
OPSET = 17


class _Graph:
    """Nodes and initializers, with fresh names for intermediate values."""

    def __init__(self) -> None:
        self.nodes: list = []
        self.weights: list = []
        self._n = 0

    def const(self, name: str, value: np.ndarray) -> str:
        from onnx import numpy_helper

        self.weights.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, kind: str, *inputs: str, **attrs) -> str:
        from onnx import helper

        self._n += 1
        out = f"{kind.lower()}_{self._n}"
        self.nodes.append(helper.make_node(kind, list(inputs), [out], name=out, **attrs))
        return out


def _linear(g: _Graph, x: str, state: dict[str, np.ndarray], prefix: str) -> str:
    """``x @ W.T + b`` with nn.Linear's [out, in] weight, stored transposed once."""
    w = g.const(prefix + ".weight", state[prefix + ".weight"].T)
    return g.op("Add", g.op("MatMul", x, w), g.const(prefix + ".bias", state[prefix + ".bias"]))


def _layer_norm(g: _Graph, x: str, state: dict[str, np.ndarray], prefix: str, eps: float) -> str:
    scale, bias = (
        g.const(prefix + ".weight", state[prefix + ".weight"]),
        g.const(prefix + ".bias", state[prefix + ".bias"]),
    )
    return g.op("LayerNormalization", x, scale, bias, axis=-1, epsilon=eps)


def _attention(g: _Graph, x: str, mask_bias: str, state: dict, prefix: str, heads: int, head_dim: int) -> str:
    """Multi-head self-attention over [batch, tokens, hidden] (BertSelfAttention + BertSelfOutput's dense)."""
    split = g.const(prefix + ".split_shape", np.array([0, 0, heads, head_dim], np.int64))
    merge = g.const(prefix + ".merge_shape", np.array([0, 0, heads * head_dim], np.int64))

    def heads_of(name: str, perm: list[int]) -> str:  # [b, t, h*d] -> [b, h, t, d] (or [b, h, d, t] for keys)
        return g.op("Transpose", g.op("Reshape", _linear(g, x, state, f"{prefix}.self.{name}"), split), perm=perm)

    q, k, v = heads_of("query", [0, 2, 1, 3]), heads_of("key", [0, 2, 3, 1]), heads_of("value", [0, 2, 1, 3])
    scale = g.const(prefix + ".scale", np.array(1.0 / np.sqrt(head_dim), np.float32))
    scores = g.op("Add", g.op("Mul", g.op("MatMul", q, k), scale), mask_bias)
    context = g.op("MatMul", g.op("Softmax", scores, axis=-1), v)
    merged = g.op("Reshape", g.op("Transpose", context, perm=[0, 2, 1, 3]), merge)
    return _linear(g, merged, state, f"{prefix}.output.dense")


def _gelu(g: _Graph, x: str, name: str) -> str:
    """GELU with erf, as transformers' "gelu" (ONNX Runtime fuses the pattern)."""
    half, one = g.const(name + ".half", np.array(0.5, np.float32)), g.const(name + ".one", np.array(1.0, np.float32))
    root2 = g.const(name + ".sqrt2", np.array(np.sqrt(2.0), np.float32))
    return g.op("Mul", g.op("Mul", x, half), g.op("Add", g.op("Erf", g.op("Div", x, root2)), one))


def _embeddings(g: _Graph, ids: str, state: dict, eps: float) -> str:
    """Word + absolute position + token type 0 embeddings, then LayerNorm."""
    words = g.op("Gather", g.const("word_embeddings", state["embeddings.word_embeddings.weight"]), ids)
    # The first ``tokens`` rows of the position table: positions 0..tokens-1.
    tokens = g.op("Shape", ids, start=1, end=2)
    table = g.const("position_embeddings", state["embeddings.position_embeddings.weight"])
    zero = g.const("zero_1d", np.array([0], np.int64))
    pos = g.op("Slice", table, zero, tokens, zero)
    type0 = g.const("token_type_0", state["embeddings.token_type_embeddings.weight"][0])
    return _layer_norm(g, g.op("Add", g.op("Add", words, pos), type0), state, "embeddings.LayerNorm", eps)


def check_mean_pooled_normalised(folder: Path) -> list[dict]:
    """The folder's modules.json, refused unless it mean-pools and normalises last (what the graphs write)."""
    pooling = json.loads((folder / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
    if not pooling.get("pooling_mode_mean_tokens") or not modules[-1]["type"].endswith("Normalize"):
        raise ValueError(f"{folder}: only a mean-pooled, normalised model is written to ONNX")
    return modules


def padding_bias(g: _Graph, mask: str) -> str:
    """[batch, 1, 1, tokens]: 0 where attended, the float32 minimum on padding, added to the scores."""
    minimum = g.const("mask_min", np.array(np.finfo(np.float32).min, np.float32))
    inverted = g.op("Sub", g.const("mask_one", np.array(1.0, np.float32)), mask)
    return g.op("Unsqueeze", g.op("Mul", inverted, minimum), g.const("axes_12", np.array([1, 2], np.int64)))


def mean_pool(g: _Graph, x: str, mask: str) -> str:
    """Mean over the attended tokens of [batch, tokens, hidden] (sentence-transformers' Pooling)."""
    weights = g.op("Unsqueeze", mask, g.const("axis_last", np.array([-1], np.int64)))
    axis1 = g.const("axis_tokens", np.array([1], np.int64))
    summed = g.op("ReduceSum", g.op("Mul", x, weights), axis1, keepdims=0)
    counts = g.op(
        "Max", g.op("ReduceSum", weights, axis1, keepdims=0), g.const("min_count", np.array(1e-9, np.float32))
    )
    return g.op("Div", summed, counts)


def normalize(g: _Graph, y: str) -> str:
    """Unit length along the last axis (sentence-transformers' Normalize)."""
    norm = g.op("Max", g.op("ReduceL2", y, axes=[1], keepdims=1), g.const("min_norm", np.array(1e-12, np.float32)))
    return g.op("Div", y, norm)


def save_encoder(g: _Graph, out: str, graph_path: Path, **external) -> None:
    """Name ``out`` ``sentence_embedding`` and save the graph with its two int64 inputs.

    ``external``: onnx.save_model's external-data options, for weights written beside the graph.
    """
    import onnx
    from onnx import TensorProto, helper

    g.nodes.append(helper.make_node("Identity", [out], ["sentence_embedding"], name="sentence_embedding"))
    int_input = [
        helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "tokens"])
        for n in ("input_ids", "attention_mask")
    ]
    output = helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", "dimension"])
    graph = helper.make_graph(g.nodes, "sentence_encoder", int_input, [output], initializer=g.weights)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="convqa")
    model.ir_version = 8  # what ONNX Runtime reads for opset 17
    onnx.save_model(model, str(graph_path), **external)


def write_bert_onnx(folder: Path, graph_path: Path, weights_name: str) -> None:
    """Write the folder's model as ``graph_path``, its weights in ``weights_name`` beside it."""
    from onnx import TensorProto
    from safetensors.numpy import load_file

    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    if config.get("model_type") != "bert" or config.get("hidden_act") != "gelu":
        raise ValueError(f"{folder}: only a BertModel with GELU is written to ONNX")
    state = {
        k.removeprefix("bert."): v.astype(np.float32) for k, v in load_file(str(folder / "model.safetensors")).items()
    }
    heads, hidden, eps = config["num_attention_heads"], config["hidden_size"], float(config["layer_norm_eps"])
    g = _Graph()
    x = _embeddings(g, "input_ids", state, eps)
    mask = g.op("Cast", "attention_mask", to=TensorProto.FLOAT)
    mask_bias = padding_bias(g, mask)
    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}"
        attended = _attention(g, x, mask_bias, state, f"{p}.attention", heads, hidden // heads)
        x = _layer_norm(g, g.op("Add", attended, x), state, f"{p}.attention.output.LayerNorm", eps)
        inner = _gelu(g, _linear(g, x, state, f"{p}.intermediate.dense"), f"{p}.gelu")
        x = _layer_norm(
            g, g.op("Add", _linear(g, inner, state, f"{p}.output.dense"), x), state, f"{p}.output.LayerNorm", eps
        )
    save_encoder(
        g,
        normalize(g, mean_pool(g, x, mask)),
        graph_path,
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=weights_name,
        size_threshold=1024,
    )
