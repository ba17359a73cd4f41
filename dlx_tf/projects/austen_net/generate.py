"""Writes text with a trained Austen-Net, streaming it to the terminal as it comes.

    python -m dlx_tf.generate runs/austen_net/smoke --tokens 0      # until Ctrl-C
    python -m dlx_tf.generate saved_models/austen_net --prompt "Emma" --tokens 300
    python -m dlx_tf.generate saved_models/austen_net/3 --temperature 0

SOURCE is one of two layouts:

- a run folder, holding `model/decoder_lm.keras` and `model/tokenizer.json` as
  `experiments/austen_net.py` writes them. Tokens come one at a time from
  `DecoderLMGenerator.stream`, exactly the tokens `DecoderLMGenerator.generate` gives for
  the same settings.
- an exported SavedModel: a version folder (`saved_models/<name>/<version>/`, holding
  `saved_model.pb`) or a TF Serving model folder (`saved_models/<name>/`, newest version).
  Its `serving_default` signature is called for `CHUNK_TOKENS` tokens at a time, each
  chunk printed as it arrives. The next chunk's prompt is the prompt plus everything
  written so far, and chunk i draws with seed `seed + i`. This is not token for token the
  run-folder stream: every chunk re-reads its last context-window tokens from scratch
  where the stream slides its window by `shift`, and the seeds differ, so even greedy
  output parts ways once the context is full. The SavedModel holds the vocabulary only as
  graph constants, so unknown prompt characters are not reported from it.

The prompt is printed first. `--tokens 0` writes until Ctrl-C, which ends the line and
exits 0. Exit status 2 with one line on stderr for bad usage (a source in neither layout,
an empty prompt, a setting out of range) or an unreadable model.
"""

import argparse
import os
import sys

from dlx_tf.errors import DataError, UsageError
from dlx_tf.export.serving_config import version_numbers
from dlx_tf.models.decoder_lm.token_sampling import SAMPLING_RANGES

DEFAULT_PROMPT = "It is a truth universally acknowledged"
CHUNK_TOKENS = 64
# A character model's prompt is as many tokens as characters and the SavedModel reads
# only its last context-window tokens, so carrying the last 64 Ki characters into each
# chunk changes nothing for any context up to that length while bounding `--tokens 0`.
CARRIED_CHARACTERS = 1 << 16
SERVING_INPUTS = {"prompts", "max_new_tokens", "temperature", "top_k", "top_p", "seed"}
LAYOUTS = ("expected a run folder (model/decoder_lm.keras and model/tokenizer.json) or a "
           "SavedModel (a version folder holding saved_model.pb, or a model folder of "
           "integer versions)")


def main(argv=None, out=None):
    """Runs the command; `out` (default `sys.stdout`) receives the text. Returns 0."""
    out = sys.stdout if out is None else out
    args = parse_args(argv)
    try:
        check_settings(args)
        kind, path = resolve_source(args.source)
        if kind == "run":
            pieces = _run_folder_pieces(path, args)
        else:
            pieces = _saved_model_pieces(path, args)
        _write(out, args.prompt, pieces)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    return 0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m dlx_tf.generate",
        description="Stream text from a trained Austen-Net run folder or exported SavedModel.")
    parser.add_argument("source", metavar="SOURCE",
                        help="run folder (model/decoder_lm.keras + model/tokenizer.json), "
                             "SavedModel version folder, or TF Serving model folder (newest "
                             "version)")
    parser.add_argument("--prompt", default=DEFAULT_PROMPT,
                        help=f"text to continue (default {DEFAULT_PROMPT!r})")
    parser.add_argument("--tokens", type=int, default=500,
                        help="characters to write; 0 = until Ctrl-C (default 500)")
    parser.add_argument("--temperature", type=float, default=0.8,
                        help="0 = greedy (default 0.8)")
    parser.add_argument("--top-k", type=int, default=0,
                        help="keep the k most likely tokens; 0 = off (default 0)")
    parser.add_argument("--top-p", type=float, default=0.95,
                        help="nucleus sampling mass in (0, 1]; 1 = off (default 0.95)")
    parser.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    return parser.parse_args(argv)


def check_settings(args):
    if not args.prompt:
        raise UsageError("--prompt: expected at least one character, got an empty prompt")
    if args.tokens < 0:
        raise UsageError(f"--tokens: expected a count >= 0 (0 = until Ctrl-C), got "
                         f"{args.tokens}")
    for name, allowed in SAMPLING_RANGES.items():
        value = getattr(args, name)
        if not allowed.allows(value):
            flag = name.replace("_", "-")
            raise UsageError(f"--{flag}: expected a value {allowed}, got {value}")


def resolve_source(path):
    """`("run", path)` or `("saved_model", version_folder)`; UsageError for anything else.

    Not `standalone_check.resolve_version_dir`: that one also demands the manifest and
    warmup files, which generation does not need, and raises its own error class.
    """
    if not os.path.isdir(path):
        raise UsageError(f"{path}: no such folder; {LAYOUTS}")
    model_dir = os.path.join(path, "model")
    if any(os.path.exists(os.path.join(model_dir, name))
           for name in ("decoder_lm.keras", "tokenizer.json")):
        return "run", path
    if os.path.isfile(os.path.join(path, "saved_model.pb")):
        return "saved_model", path
    versions = version_numbers(path)
    if versions:
        newest = os.path.join(path, str(versions[-1]))
        if not os.path.isfile(os.path.join(newest, "saved_model.pb")):
            raise UsageError(f"{newest}: the newest version holds no saved_model.pb; {LAYOUTS}")
        return "saved_model", newest
    raise UsageError(f"{path}: neither layout; {LAYOUTS}")


def _write(out, prompt, pieces):
    print(prompt, end="", file=out, flush=True)
    try:
        for piece in pieces:
            print(piece, end="", file=out, flush=True)
    except KeyboardInterrupt:
        pass  # Ctrl-C is how `--tokens 0` ends: finish the line, exit 0
    print(file=out, flush=True)


def _run_folder_pieces(run_dir, args):
    """Loads the model and tokenizer now; returns an iterator of one decoded character
    per token."""
    model, tokenizer = load_run_folder(run_dir)
    prompt_ids = tokenizer.encode(args.prompt)
    unknown = sorted({c for c, i in zip(args.prompt, prompt_ids) if i == tokenizer.UNKNOWN_ID})
    if unknown:
        print(f"warning: prompt characters not in the tokenizer, read as the unknown token: "
              f"{', '.join(map(repr, unknown))}", file=sys.stderr, flush=True)

    from dlx_tf.models.decoder_lm.decoder_lm_generator import DecoderLMGenerator

    stream = DecoderLMGenerator(model).stream(
        prompt_ids[None], num_tokens=args.tokens or None, seed=args.seed,
        temperature=args.temperature, top_k=args.top_k, top_p=args.top_p)
    return (tokenizer.decode(token) for token in stream)  # token: int32 (batch=1,)


def load_run_folder(run_dir):
    """`(DecoderLM, CharTokenizer)` from `<run_dir>/model/`; DataError naming the file."""
    import keras

    from dlx_tf.models.decoder_lm.char_tokenizer import CharTokenizer
    from dlx_tf.models.decoder_lm.decoder_lm import DecoderLM  # registers the class

    model_path = os.path.join(run_dir, "model", "decoder_lm.keras")
    if not os.path.isfile(model_path):
        raise DataError(f"{model_path}: no such file (expected the DecoderLM saved by the "
                        f"experiment next to model/tokenizer.json)")
    tokenizer = CharTokenizer.load(os.path.join(run_dir, "model", "tokenizer.json"))
    try:
        model = keras.models.load_model(model_path, compile=False)
    except Exception as error:  # whatever the file holds, the user sees which file failed
        raise DataError(f"{model_path}: expected a saved DecoderLM, could not load it "
                        f"({type(error).__name__}: {error})") from error
    if not isinstance(model, DecoderLM):
        raise DataError(f"{model_path}: expected a saved DecoderLM, got "
                        f"{type(model).__name__}")
    if model.vocabulary_size != tokenizer.vocabulary_size:
        raise DataError(f"{model_path}: the model has {model.vocabulary_size} token ids but "
                        f"model/tokenizer.json has {tokenizer.vocabulary_size}: expected the "
                        f"tokenizer it was trained with")
    return model, tokenizer


def _saved_model_pieces(version_dir, args):
    """Loads the SavedModel now; returns an iterator of chunks, each from one call of
    `serving_default` for up to `CHUNK_TOKENS` tokens."""
    import tensorflow as tf

    loaded = load_text_generator(version_dir)
    settings = {"temperature": tf.constant(args.temperature, tf.float32),
                "top_k": tf.constant(args.top_k, tf.int32),
                "top_p": tf.constant(args.top_p, tf.float32)}

    def chunks():
        # `loaded` stays referenced here: the signature's variables belong to it.
        serve = loaded.signatures["serving_default"]
        text, written, chunk = args.prompt, 0, 0
        while not args.tokens or written < args.tokens:
            size = CHUNK_TOKENS if not args.tokens else min(CHUNK_TOKENS, args.tokens - written)
            outputs = serve(prompts=tf.constant([text.encode("utf-8")]),
                            max_new_tokens=tf.constant(size, tf.int32),
                            seed=tf.constant(args.seed + chunk, tf.int64), **settings)
            piece = outputs["text"][0].numpy().decode("utf-8")
            yield piece
            text = (text + piece)[-CARRIED_CHARACTERS:]
            written, chunk = written + size, chunk + 1

    return chunks()


def load_text_generator(version_dir):
    """The loaded text-generator SavedModel; DataError if the folder holds another kind
    of model."""
    import tensorflow as tf

    try:
        loaded = tf.saved_model.load(version_dir)
    except Exception as error:  # a damaged or foreign SavedModel: name the folder
        raise DataError(f"{version_dir}: expected a loadable SavedModel, could not load it "
                        f"({type(error).__name__}: {error})") from error
    serve = loaded.signatures.get("serving_default")
    inputs = set(serve.structured_input_signature[1]) if serve is not None else set()
    if inputs != SERVING_INPUTS or "text" not in serve.structured_outputs:
        raise DataError(f"{version_dir}: expected a text generator whose serving_default takes "
                        f"{sorted(SERVING_INPUTS)} and returns 'text', got inputs "
                        f"{sorted(inputs)}")
    return loaded


if __name__ == "__main__":
    sys.exit(main())
