"""Decoder-only transformer language models (GPT-2 blocks), cached generation, a character
tokenizer and the training windows they read."""
from dlx_tf.models.decoder_lm.char_tokenizer import CharTokenizer
from dlx_tf.models.decoder_lm.decoder_lm import DecoderLM
from dlx_tf.models.decoder_lm.decoder_lm_generator import DecoderLMGenerator
from dlx_tf.models.decoder_lm.language_model_trainer import LanguageModelTrainer

__all__ = ["CharTokenizer", "DecoderLM", "DecoderLMGenerator", "LanguageModelTrainer"]
