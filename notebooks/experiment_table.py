"""What differs between the experiments' notebooks: one `Experiment` per notebook, read by
`notebooks/build_notebooks.py`."""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Experiment:
    name: str  # experiments/<name>.py
    title: str
    about: str  # one paragraph of Markdown
    smoke_time: str  # wall time of the smoke profile on 2 CPU cores
    data: str  # Markdown: the paper profile's data and the --data choices
    extra_args_example: str
    metrics: tuple[str, ...]  # keys of run.json's `metrics` shown after the run
    tpu: str  # Markdown: what to know on a TPU runtime
    serving: str  # Markdown: the exports' signatures
    request: str  # code: one request to each kind of export, and its answer shown


EXPERIMENTS = (
    Experiment(
        name="cyclegan",
        title="CycleGAN: unpaired image-to-image translation",
        about="Reproduces Zhu et al. 2017, *Unpaired Image-to-Image Translation using "
              "Cycle-Consistent Adversarial Networks*, as the paper and its official code "
              "configure it: two ResNet generators (A → B and B → A), two 70×70 PatchGAN "
              "discriminators, LSGAN losses, cycle and identity L1, image pools of 50, 200 "
              "epochs at batch 1 with linear decay over the last 100. Each epoch it measures "
              "the translations: cycle L1, a domain judge, KID, precision and recall, "
              "diversity and structure preservation.",
        smoke_time="about 3 minutes",
        data="tfds `cycle_gan/summer2winter_yosemite` by default; `--data horse2zebra` or any "
             "other `cycle_gan/*` pair, or a folder with `trainA/ trainB/ testA/ testB/`.",
        extra_args_example='["--data", "horse2zebra"]',
        metrics=("test_cycle_l1", "test_translation_score", "test_kid", "test_precision",
                 "test_recall", "test_diversity", "test_content_ssim", "test_structure_ssim"),
        tpu="The paper's batch of 1 cannot be split over the 8 cores of a v2-8 or v3-8 TPU. "
            "Set `EXTRA_ARGS = [\"--set\", \"batch_size=8\"]`: one image per core, so instance "
            "norm still sees one image, but each update averages 8 images' gradients, unlike "
            "the paper. A single-core runtime (v5e-1) takes batch 1 as it is.",
        serving="`cyclegan_<pair>_a2b` and `cyclegan_<pair>_b2a` take uint8 `images` "
                "`[batch, height, width, 3]` (height and width divisible by 4) and return "
                "uint8 `images` of the same shape.",
        request='''
            a2b = next(name for name in EXPORTS if name.endswith("_a2b"))
            b2a = next(name for name in EXPORTS if name.endswith("_b2a"))
            images = np.asarray(recorded_inputs(a2b)["images"], np.uint8)  # test images of A
            translated = serving_default(a2b)(images=tf.constant(images))["images"].numpy()
            back = serving_default(b2a)(images=tf.constant(translated))["images"].numpy()
            a, b = record["data"]["domain_a"], record["data"]["domain_b"]
            count = len(images)
            show_images([images, translated, back],
                        [a] * count + [f"→ {b}"] * count + [f"→ {a} again"] * count)
        '''),
    Experiment(
        name="pix2pix",
        title="pix2pix: paired image-to-image translation",
        about="Reproduces Isola et al. 2017, *Image-to-Image Translation with Conditional "
              "Adversarial Networks*, as the paper and its official code configure it: a "
              "U-Net generator (8 downsamplings to 1×1, skip connections, batch norm, dropout "
              "0.5 kept at test time), a conditional 70×70 PatchGAN that sees input and output "
              "side by side, the GAN loss plus 100 × L1, 200 epochs at batch 1 with linear "
              "decay over the last 100. Each epoch it measures L1, PSNR and SSIM against the "
              "ground truth, KID, and (on the synthetic label maps) the FCN-score: how well a "
              "segmentation network trained on real scenes labels the outputs.",
        smoke_time="about 2 minutes",
        data="A folder in the official format: `train/ val/ test/` of side-by-side A|B "
             "images (facades, maps, cityscapes, edges2shoes, …), `datasets/facades` by "
             "default with `direction=BtoA` (labels → photos). No tfds dataset holds these "
             "pairs: upload or mount the folder.",
        extra_args_example='["--data", "datasets/maps", "--set", "direction=AtoB"]',
        metrics=("test_l1", "test_psnr", "test_ssim", "test_kid", "test_fcn_pixel_accuracy",
                 "test_fcn_class_iou", "real_fcn_class_iou"),
        tpu="Batch 1 cannot split over the 8 cores of a v2-8 or v3-8 TPU: set "
            "`EXTRA_ARGS = [\"--set\", \"batch_size=8\"]`. Training batch norm is "
            "synchronised across the cores, so this trains as one device with batch 8 (the "
            "paper also reports batches up to 10).",
        serving="`pix2pix_<data>` takes uint8 `images` `[batch, height, width, 3]` (height and "
                "width multiples of 256 for the paper's U-Net) and returns uint8 `images` of "
                "the same shape; each image gets its own dropout noise, seeded by its pixels.",
        request='''
            name = next(iter(EXPORTS))
            images = np.asarray(recorded_inputs(name)["images"], np.uint8)  # test inputs
            translated = serving_default(name)(images=tf.constant(images))["images"].numpy()
            count = len(images)
            show_images([images, translated], ["input"] * count + ["translated"] * count)
        '''),
    Experiment(
        name="pegasus",
        title="Pegasus: a pegasus from birds and horses",
        about="The coursework: using CIFAR-10, create a model that generates an image of a "
              "pegasus from what it learns about birds and horses. One run trains, on the same "
              "batches, a class-conditional DCGAN (Radford et al. 2015), ACAI (Berthelot et "
              "al. 2018), ACAI without its critic as the baseline, and a judge classifier; it "
              "then searches 2,048 bird/horse mixtures and interpolations for the best "
              "pegasus, scored by the judge, the DCGAN's discriminator and ACAI's critic.",
        smoke_time="about 1.5 minutes",
        data="tfds `cifar10`; `--set classes=bird,horse` keeps two classes. Other profiles: "
             "`paper_wgan_gp` and `paper_sngan` (set `PROFILE`).",
        extra_args_example='["--set", "classes=bird,horse"]',
        metrics=("generated_kid", "generated_precision", "generated_recall",
                 "generated_diversity", "generated_judge_accuracy",
                 "test_acai_reconstruction_mse", "pegasus_best_score"),
        tpu="Batch 64 splits into 8 per core on a v2-8 or v3-8 (`paper_wgan_gp`: 320, 40 per "
            "core).",
        serving="`pegasus_dcgan_<data>` takes `latents` float32 `[batch, 100]` and "
                "`class_mixture` float32 `[batch, 10]` (rows summing to 1) and returns uint8 "
                "`images`; `pegasus_acai_<data>` takes uint8 `images_a`, `images_b` "
                "`[batch, 32, 32, 3]` and float32 `alpha` `[batch]` and returns the decoded "
                "interpolation.",
        request='''
            dcgan = next(name for name in EXPORTS if name.startswith("pegasus_dcgan"))
            acai = next(name for name in EXPORTS if name.startswith("pegasus_acai"))
            # "bird" on CIFAR-10, "synthetic bird" on the smoke profile's stand-ins
            classes = {name.split()[-1]: index
                       for index, name in enumerate(record["data"]["class_names"])}
            horse_share = np.linspace(0, 1, 5, dtype="float32")
            latents = np.random.default_rng(1).standard_normal(
                (4, record["config"]["latent_dim"])).astype("float32")
            mixture = np.zeros((4 * len(horse_share), len(classes)), "float32")
            mixture[:, classes["horse"]] = np.tile(horse_share, 4)
            mixture[:, classes["bird"]] = 1 - np.tile(horse_share, 4)
            pegasi = serving_default(dcgan)(
                latents=tf.constant(np.repeat(latents, len(horse_share), axis=0)),
                class_mixture=tf.constant(mixture))["images"].numpy()
            show_images(np.split(pegasi, 4), [f"{share:.0%} horse" for share in horse_share] * 4)

            pair = recorded_inputs(acai)  # test images
            alpha = np.linspace(0, 1, 6, dtype="float32")
            images_a = np.repeat(np.asarray(pair["images_a"][:1], np.uint8), len(alpha), axis=0)
            images_b = np.repeat(np.asarray(pair["images_b"][:1], np.uint8), len(alpha), axis=0)
            blends = serving_default(acai)(images_a=tf.constant(images_a),
                                           images_b=tf.constant(images_b),
                                           alpha=tf.constant(alpha))["images"].numpy()
            show_images([blends], [f"α {value:.1f}" for value in alpha])
        '''),
    Experiment(
        name="bert_noise",
        title="BERT under label noise",
        about="How much do wrong labels cost a fine-tuned BERT? One command sweeps 0, 20, 40 "
              "and 50 % of the training labels flipped; at each rate a KerasHub "
              "`bert_base_en_uncased` classifier is fine-tuned with cross-entropy, beside "
              "generalized and symmetric cross-entropy (two noise-robust losses) on the same "
              "batches, and early stopping is read from the noisy validation set. Accuracy on "
              "train, validation and clean test data is charted per epoch and per rate.",
        smoke_time="about 9 minutes",
        data="tfds `ag_news_subset`; `--data imdb_reviews`, a `.csv`/`.jsonl` file or a "
             "folder of one sub-folder of `.txt` files per class.",
        extra_args_example='["--set", "noise_rates=0.0,0.4", "--set", "losses=ce"]',
        metrics=("noise_rates", "test_accuracy"),
        tpu="Batch 32 splits into 4 per core on a v2-8 or v3-8. Tokenization runs in the "
            "`tf.data` pipeline on the host; the train step is XLA-compiled, as a TPU needs.",
        serving="`bert_noise<percent>_<data>`, one per noise rate: `serving_default` takes "
                "raw strings `texts` `[batch]` (the tokenizer is inside the SavedModel, TF "
                "Text ops: TF Serving ≥ 2.20) and returns `probabilities` and `label`.",
        request='''
            import tensorflow_text  # noqa: F401  (registers the tokenizer's ops before loading)

            texts = recorded_inputs(next(iter(EXPORTS)))["texts"]  # held-out test documents
            classes = record["data"]["class_names"]
            answers = {name: serving_default(name)(texts=tf.constant(texts)) for name in EXPORTS}
            for index, text in enumerate(texts):
                print(f"{text[:100]}...")
                for name, answer in answers.items():
                    label = int(answer["label"][index])
                    print(f"    {name}: {classes[label]} "
                          f"({float(answer['probabilities'][index, label]):.0%})")
        '''),
    Experiment(
        name="austen_net",
        title="Austen-Net: a character-level transformer that writes without end",
        about="A GPT-2-style decoder-only transformer (pre-layer-norm blocks, GELU, tied "
              "embeddings) trained on Jane Austen's eight books from Project Gutenberg at the "
              "size and schedule of nanoGPT's `shakespeare_char` baseline: 6 layers, 6 heads, "
              "width 384, context 256. Generation keeps a key/value cache and slides its "
              "window past the context, so text streams without end.",
        smoke_time="about 2.5 minutes",
        data="the eight Austen books, downloaded once from Project Gutenberg; `--data` also "
             "takes a folder of `.txt` files or one file.",
        extra_args_example='["--data", "my_texts/"]',
        metrics=("validation_cross_entropy", "val_perplexity", "entropy_rate_nats_per_char",
                 "sample_in_lexicon"),
        tpu="Batch 64 splits into 8 per core on a v2-8 or v3-8.",
        serving="`austen_net` (`austen_net_<data>` for other data): `serving_default` takes "
                "`prompts` (strings `[batch]`) and the scalars `max_new_tokens`, `temperature` "
                "(0 = greedy), `top_k` (0 = off), `top_p` (1 = off) and `seed`, and returns "
                "`text`, the continuations.",
        request='''
            generator = next(iter(EXPORTS))
            prompt = recorded_inputs(generator)["prompts"][0]  # the run's prompt
            answer = serving_default(generator)(
                prompts=tf.constant([prompt]), max_new_tokens=tf.constant(300),
                temperature=tf.constant(0.8), top_k=tf.constant(0), top_p=tf.constant(0.95),
                seed=tf.constant(0, tf.int64))
            print(prompt + " ⟨prompt ends⟩" + answer["text"][0].numpy().decode())
        '''),
    Experiment(
        name="audio_net",
        title="Audio-Net: music genre from mel spectrograms with a ResNet-18",
        about="Classifies the ten GTZAN genres (Tzanetakis & Cook 2002) from 3-second log-mel "
              "spectrograms with a ResNet-18 fine-tuned from ImageNet weights (the head alone "
              "for two epochs, then everything), with SpecAugment masks, mixup, random gain "
              "and time shift. Songs are split by song, and a song's genre is the mean of its "
              "segments' probabilities.",
        smoke_time="about 30 seconds",
        data="tfds `gtzan`; or the Kaggle copy's folder `genres_original/<genre>/*.wav` "
             "(`--data /path/genres_original`, `--set split_file=...` for a fixed split). The "
             "ImageNet weights come from KerasHub's `resnet_18_imagenet` preset.",
        extra_args_example='["--data", "/content/drive/MyDrive/genres_original"]',
        metrics=("test_song_accuracy", "test_accuracy", "val_song_accuracy"),
        tpu="Batch 32 splits into 4 per core on a v2-8 or v3-8. Log-mel spectrograms and "
            "augmentations run in the `tf.data` pipeline on the host.",
        serving="`audio_net_gtzan` (`audio_net_synthetic` for the smoke run): "
                "`serving_default` takes `waveforms`, float32 `[batch, samples]` in [-1, 1] at "
                "the training sample rate, at least one segment long, and returns "
                "`probabilities`, `label`, `genre` and `segments` (how many were averaged).",
        request='''
            from IPython.display import Audio

            classifier = next(iter(EXPORTS))
            clips = np.asarray(recorded_inputs(classifier)["waveforms"], np.float32)  # test songs
            answer = serving_default(classifier)(waveforms=tf.constant(clips))
            for clip, genre, probabilities, segments in zip(
                    clips, answer["genre"].numpy(), answer["probabilities"].numpy(),
                    answer["segments"].numpy()):
                print(f"{genre.decode()} ({probabilities.max():.0%}, mean of {segments} segments)")
                display(Audio(clip, rate=record["config"]["sample_rate"]))
        '''),
    Experiment(
        name="intro_mlp",
        title="Intro MLP: a fully connected digit classifier",
        about="The introduction to neural networks: a multilayer perceptron (784 → 256 → 128 "
              "→ 10, ReLU, dropout) trained with Adam on MNIST digits. It is also the smallest "
              "example of the run contract every experiment follows: run record, plots, "
              "TensorBoard, resumable checkpoints and a SavedModel for TF Serving.",
        smoke_time="about 30 seconds",
        data="tfds `mnist`; `--data fashion_mnist` or any other 28×28×1 tfds image dataset.",
        extra_args_example='["--data", "fashion_mnist"]',
        metrics=("test_accuracy", "val_accuracy", "test_loss"),
        tpu="Batch 128 splits into 16 per core; a model this small gains nothing from a TPU, "
            "and a CPU runtime trains it in minutes.",
        serving="`intro_mlp` takes uint8 `images` `[batch, 28, 28]` or `[batch, 28, 28, 1]` "
                "and returns `probabilities` (float32 `[batch, 10]`) and `label`.",
        request='''
            images = np.asarray(recorded_inputs("intro_mlp")["images"], np.uint8)  # test digits
            answer = serving_default("intro_mlp")(images=tf.constant(images))
            show_images([images], [
                f"{label} ({probabilities.max():.0%})"
                for label, probabilities in zip(answer["label"].numpy(),
                                                answer["probabilities"].numpy())])
        '''),
    Experiment(
        name="multi_net",
        title="Multi-Net: text-to-video retrieval with video, audio and text encoders",
        about="Retrieves and recommends MSR-VTT clips from a shared embedding space, trained "
              "as CLIP4Clip (Luo et al. 2021) trains CLIP: a symmetric InfoNCE over the "
              "global batch with a learned temperature. Frames (12 at 1 fps) and the "
              "soundtrack (16 kHz log-mels through a ResNet) become tokens of one fusion "
              "transformer (early fusion); captions go through BERT. One run trains the "
              "ablation, fused vs video-only vs audio-only clip towers, and compares their "
              "recall on captions that name the sound and on those that do not.",
        smoke_time="about 2.5 minutes",
        data="The MSR-VTT folder as downloaded (`video<N>.mp4` clips, the annotation JSON, "
             "and `MSRVTT_train.9k.csv` / `MSRVTT_JSFUSION_test.csv` for the 1k-A split): "
             "`--data /path/MSRVTT`. The smoke run writes synthetic MP4 clips with sound.",
        extra_args_example='["--data", "/content/drive/MyDrive/MSRVTT"]',
        metrics=("ablation", "fusion_gain_R@1_captions_sound"),
        tpu="Batch 128 splits into 16 per core on a v2-8 or v3-8; the InfoNCE negatives are "
            "gathered from every core, so the loss is the one-device loss at batch 128. Clips "
            "are decoded on the host (PyAV) into the clip cache before training.",
        serving="`multi_net_msrvtt` (`multi_net_synthetic` for the smoke run): "
                "`serving_default` takes caption strings `texts` and returns unit "
                "`embeddings`; `encode_clip` takes uint8 `frames` `[batch, frames, size, size, "
                "3]`, float32 `audio` `[batch, samples]` and bool `has_audio`. "
                "`..._retrieval` holds the test catalogue: `serving_default` takes `texts` "
                "and `k` and returns the `k` best `clip_ids` and their `scores`; "
                "`similar_clips` takes catalogue `clip_ids` and `k` (\"more like this\").",
        request='''
            import tensorflow_text  # noqa: F401  (registers the tokenizer's ops before loading)

            search = next(name for name in EXPORTS if name.endswith("_retrieval"))
            captions = np.asarray(recorded_inputs(search)["texts"], object)  # test captions
            answer = serving_default(search)(texts=tf.constant(captions), k=tf.constant(5))
            for caption, ids, scores in zip(captions, answer["clip_ids"].numpy(),
                                            answer["scores"].numpy()):
                best = ", ".join(f"{i.decode()} ({s:.2f})" for i, s in zip(ids, scores))
                print(f"{caption} → {best}")
        '''),
)
