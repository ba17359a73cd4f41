"""notebooks/audio_net.ipynb runs headlessly on the smoke profile (two epochs), shows its
plots, checks the export and classifies test clips, each shown with an audio player."""

import pytest
from notebook_runner import check_notebook_run, execute_notebook, printed

pytestmark = pytest.mark.slow


def test_audio_net_notebook_trains_checks_and_queries_its_export(tmp_path):
    outputs, record = execute_notebook("audio_net", tmp_path, ["epochs=2"])
    check_notebook_run(outputs, record, tmp_path)
    players = [output for output in outputs["query"]
               if "<audio" in output.get("data", {}).get("text/html", "")]
    answers = printed(outputs["query"]).splitlines()
    assert len(players) == len(answers) == 2  # the two test clips recorded with the export
    assert all("mean of 2 segments" in answer for answer in answers)
