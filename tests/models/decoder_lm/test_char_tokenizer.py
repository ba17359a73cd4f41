import json
import os

import numpy as np
import pytest
import tensorflow as tf

from dlx_tf.errors import DataError
from dlx_tf.models.decoder_lm.char_tokenizer import CharTokenizer

# Non-ASCII known characters, and unknown ones from 1, 2, 3 and 4 UTF-8 bytes.
KNOWN = "héllo wörld—’"
TEXT = "hé—’llo, wörld! ß ☃ 😀 ’"


@pytest.fixture(scope="module")
def tokenizer():
    return CharTokenizer.fit(KNOWN)


def test_ids_are_the_characters_sorted_by_code_point_after_the_unknown_id(tokenizer):
    assert tokenizer.characters == tuple(sorted(set(KNOWN)))
    assert tokenizer.vocabulary_size == len(set(KNOWN)) + 1
    assert CharTokenizer.UNKNOWN_ID == 0
    np.testing.assert_array_equal(tokenizer.encode(tokenizer.characters[0] + "’"),
                                  [1, tokenizer.vocabulary_size - 1])
    assert CharTokenizer("cab").characters == ("a", "b", "c")


def test_encode_decode_round_trip_and_unknowns(tokenizer):
    ids = tokenizer.encode(KNOWN)
    assert ids.dtype == np.int32 and ids.shape == (len(KNOWN),) and ids.min() >= 1
    assert tokenizer.decode(ids) == KNOWN
    ids = tokenizer.encode(TEXT)
    unknown = [i for i, c in enumerate(TEXT) if c not in KNOWN]
    assert len(unknown) == 5 and np.all(ids[unknown] == 0)
    expected = "".join(c if c in KNOWN else "\ufffd" for c in TEXT)
    assert tokenizer.decode(ids) == expected
    assert tokenizer.decode(list(ids)) == expected
    assert tokenizer.encode("").shape == (0,) and tokenizer.decode([]) == ""
    np.testing.assert_array_equal(CharTokenizer([]).encode("ab"), [0, 0])


def test_decode_rejects_ids_outside_the_vocabulary(tokenizer):
    size = tokenizer.vocabulary_size
    with pytest.raises(ValueError, match=f"ids\\[1\\].*got {size}"):
        tokenizer.decode([1, size, 2])
    with pytest.raises(ValueError, match="got -1"):
        tokenizer.decode([-1])
    with pytest.raises(ValueError, match="1-D"):
        tokenizer.decode([[1, 2]])


def test_bad_characters_are_rejected_with_the_entry_named():
    with pytest.raises(ValueError, match=r"characters\[1\].*'ab'"):
        CharTokenizer(["a", "ab"])
    with pytest.raises(ValueError, match=r"characters\[2\]: duplicate.*'a'"):
        CharTokenizer(["a", "b", "a"])
    with pytest.raises(ValueError, match=r"characters\[0\]"):
        CharTokenizer([7])
    with pytest.raises(ValueError, match=r"characters\[0\]"):
        CharTokenizer([""])


def test_tf_encode_and_decode_equal_numpy_eagerly_and_in_a_graph(tokenizer):
    expected_ids = tokenizer.encode(TEXT)
    expected_text = tokenizer.decode(expected_ids)
    np.testing.assert_array_equal(tokenizer.tf_encode(tf.constant(TEXT)), expected_ids)
    assert tokenizer.tf_decode(expected_ids).numpy().decode("utf-8") == expected_text

    @tf.function(input_signature=[tf.TensorSpec([], tf.string)])
    def encode(text):
        return tokenizer.tf_encode(text)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.int32)])
    def decode(ids):
        return tokenizer.tf_decode(ids)

    ids = encode(tf.constant(TEXT))
    assert ids.dtype == tf.int32
    np.testing.assert_array_equal(ids, expected_ids)
    assert decode(ids).numpy().decode("utf-8") == expected_text
    np.testing.assert_array_equal(encode(tf.constant("")), np.zeros([0]))
    # Only core ops: no lookup-table resources, nothing from TF Text.
    ops = {op.type for f in (encode, decode)
           for op in f.get_concrete_function().graph.get_operations()}
    assert not [op for op in ops if "Table" in op or "Lookup" in op or "Text" in op]


def test_tf_decode_of_a_batch_and_of_ids_out_of_range(tokenizer):
    rows = np.stack([tokenizer.encode("héllo"), tokenizer.encode("wörld")])
    np.testing.assert_array_equal(tokenizer.tf_decode(rows).numpy(),
                                  ["héllo".encode(), "wörld".encode()])
    # A served graph must not fail on a bad id: it decodes to U+FFFD like the unknown id.
    bad = tokenizer.tf_decode([1, tokenizer.vocabulary_size, -3]).numpy().decode("utf-8")
    assert bad == tokenizer.characters[0] + "\ufffd\ufffd"
    batch = tokenizer.tf_encode(tf.constant(["hé!", TEXT]))
    np.testing.assert_array_equal(batch[1], tokenizer.encode(TEXT))
    np.testing.assert_array_equal(batch[0], tokenizer.encode("hé!"))


def test_a_saved_model_of_the_tf_functions_gives_the_same_ids_and_text(tokenizer, tmp_path):
    module = tf.Module()
    module.encode = tf.function(tokenizer.tf_encode,
                                input_signature=[tf.TensorSpec([], tf.string)])
    module.decode = tf.function(tokenizer.tf_decode,
                                input_signature=[tf.TensorSpec([None, None], tf.int32)])
    tf.saved_model.save(module, str(tmp_path / "tokenizer"))
    loaded = tf.saved_model.load(str(tmp_path / "tokenizer"))
    ids = loaded.encode(tf.constant(TEXT))
    np.testing.assert_array_equal(ids, tokenizer.encode(TEXT))
    assert loaded.decode(ids[None]).numpy()[0].decode("utf-8") == tokenizer.decode(ids)


def test_save_load_and_config_round_trip(tokenizer, tmp_path):
    path = tmp_path / "tokenizer.json"
    tokenizer.save(str(path))
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "type": "char", "characters": list(tokenizer.characters)}
    assert os.listdir(tmp_path) == ["tokenizer.json"]  # no temporary file left behind
    loaded = CharTokenizer.load(str(path))
    assert loaded.characters == tokenizer.characters
    np.testing.assert_array_equal(loaded.encode(TEXT), tokenizer.encode(TEXT))
    config = tokenizer.get_config()
    assert config == {"characters": list(tokenizer.characters)}
    assert CharTokenizer.from_config(json.loads(json.dumps(config))).characters == (
        tokenizer.characters)


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    ("{not json", "expected JSON"),
    (b"\xff\xfe\x00", "expected JSON"),
    ('{"type": "bpe", "characters": ["a"]}', "field 'type': expected 'char', got 'bpe'"),
    ('["a", "b"]', "field 'type'"),
    ('{"type": "char", "characters": "ab"}', "field 'characters'"),
    ('{"type": "char", "characters": ["a", "a"]}', r"field 'characters'.*duplicate"),
])
def test_load_names_the_file_and_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "tokenizer.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=message) as error:
        CharTokenizer.load(str(path))
    assert str(path) in str(error.value)
