"""tfds datasets for every loader: a name checked against the tfds catalogue (a typo gets one
line with the closest names, not tfds's 460-line list), and a download that fails within
seconds when its host cannot be reached, instead of after tfds's ~3.5 minutes of retries.

    builder = tfds_builder("tfds:mnist", also="synthetic")  # `--data` took this source
    splits = prepared(builder, "tfds:mnist", also="synthetic").as_dataset(split=["train"])
"""

import difflib
import socket
import urllib.parse
import urllib.request

from dlx_tf.errors import DataError

PROBE_SECONDS = 3.0
# tfds's own bucket: the host to try for a dataset whose download URLs live only in its
# code (gtzan), not in a checksums file.
_TFDS_HOST_URL = "https://storage.googleapis.com/"


def tfds_builder(source, also):
    """The tfds builder of `source` (`mnist`, `tfds:cycle_gan/horse2zebra`,
    `imdb_reviews:1.0.0`) before anything is downloaded; one-line `DataError`s naming the
    closest tfds names for an unknown dataset or config, and `also` (what else `--data`
    accepts) for a source that was never meant as a tfds name."""
    import tensorflow_datasets as tfds

    name = source.removeprefix("tfds:")
    try:
        dataset, kwargs = tfds.core.naming.parse_builder_name_kwargs(name)
    except ValueError:
        raise DataError(f"--data {source}: not a tfds name (expected name[/config][:version]); "
                        f"--data also accepts {also}") from None
    # Registered datasets only: community names (`huggingface:...`) would go to the network.
    known = tfds.list_builders(with_community_datasets=False)
    if dataset.namespace or dataset.name not in known:
        raise DataError(f"--data {source}: no tfds dataset of that name"
                        f"{_did_you_mean(dataset.name, known)}; --data also accepts {also}")
    configs = [config.name for config in tfds.builder_cls(dataset.name).BUILDER_CONFIGS]
    if "config" in kwargs and kwargs["config"] not in configs:
        raise DataError(f"--data {source}: tfds {dataset.name} has no config "
                        f"{kwargs['config']}{_did_you_mean(kwargs['config'], configs)} "
                        f"(configs: {', '.join(configs)})")
    try:
        return tfds.builder(name)
    except (ValueError, AssertionError) as error:  # a version this tfds cannot load
        raise DataError(f"--data {source}: {_first_line(error)}") from None


def prepared(builder, source, also):
    """`builder` with its data downloaded and prepared, unless they already are (then
    nothing touches the network). Before downloading, each download host must answer
    within `PROBE_SECONDS`; otherwise, or if the download fails, a one-line `DataError`
    names the dataset, the folder tfds looked in, and the ways around it."""
    import tensorflow_datasets as tfds

    make_download_manager = builder._make_download_manager

    def probe_then_make(*args, **kwargs):
        _require_hosts(builder, source, also)
        return make_download_manager(*args, **kwargs)

    # tfds makes its download manager only once it has found the data unprepared, and
    # never under `tfds.testing.mock_data`: the one moment a download is certain.
    builder._make_download_manager = probe_then_make
    try:
        builder.download_and_prepare()
    except (OSError, tfds.download.DownloadError) as error:
        raise DataError(f"--data {source}: downloading tfds {builder.info.full_name} failed "
                        f"({_first_line(error)}); {_ways_around(builder, also)}") from None
    finally:
        del builder._make_download_manager
    return builder


def _require_hosts(builder, source, also):
    urls = sorted(builder.url_infos or {}) or [_TFDS_HOST_URL]
    for host, port, what in sorted({_first_hop(url) for url in urls}):
        try:
            socket.create_connection((host, port), timeout=PROBE_SECONDS).close()
        except OSError as error:
            raise DataError(
                f"--data {source}: tfds {builder.info.full_name} is not prepared in "
                f"{builder.data_dir} and the {what} cannot be reached ({error}); "
                f"{_ways_around(builder, also)}") from None


def _first_hop(url):
    """`(host, port, description)` of what a download of `url` connects to first: the
    proxy the environment names for it (HTTPS_PROXY, NO_PROXY, ... as `requests` reads
    them) or the URL's own host."""
    parts = urllib.parse.urlsplit(url)
    proxies = urllib.request.getproxies()
    proxy = None if urllib.request.proxy_bypass(parts.hostname) else (
        proxies.get(parts.scheme) or proxies.get("all"))
    if proxy:
        hop = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        return (hop.hostname, hop.port or 80,
                f"proxy {hop.hostname}:{hop.port or 80} to {parts.hostname}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.hostname, port, f"download host {parts.hostname}:{port}"


def _ways_around(builder, also):
    config = f"/{builder.builder_config.name}" if builder.builder_config else ""
    return (f"run `tfds build {builder.name}{config}` on a machine online and copy its "
            f"{builder.data_dir_root} folder here (TFDS_DATA_DIR names another), or use "
            f"local data: --data also accepts {also}")


def _did_you_mean(name, candidates):
    close = difflib.get_close_matches(name, candidates, n=3)
    if not close:
        return ""
    listed = close[0] if len(close) == 1 else f"{', '.join(close[:-1])} or {close[-1]}"
    return f" (did you mean {listed}?)"


def _first_line(error):
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
