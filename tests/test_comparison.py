"""descent.comparison: grid searches report the best η, every run's final loss, diverged
runs (without warnings) and the cost; the summary rows are computed from the optimizers."""

from __future__ import annotations

import inspect
import subprocess
import sys
import warnings

import matplotlib
import numpy as np
import pytest

from descent import comparison, data, functions, nn
from descent.comparison import (
    FAMILIES,
    LIBRARY_NAMES,
    Comparison,
    Table,
    compare,
    grid_search,
    log_grid,
    makers,
    on_function,
    on_model,
    summary,
)
from descent.optimizers import ALL, COCOB, SGD, Adam, Momentum
from descent.schedules import Cosine, Scheduled
from descent.training import History, Trajectory

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from descent import plotting  # noqa: E402


def test_log_grid():
    np.testing.assert_allclose(log_grid(1e-4, 10), [1e-4, 1e-3, 1e-2, 1e-1, 1, 10], rtol=1e-12)
    half = log_grid(1e-3, 1, per_decade=2)
    assert len(half) == 7 and half[1] == pytest.approx(10**-2.5)
    assert len(log_grid(0.01, 0.05)) == 1  # the end is left out when it does not fit
    for bad in [dict(low=0, high=1), dict(low=1, high=0.1), dict(low=1e-3, high=1, per_decade=0)]:
        with pytest.raises(ValueError):
            log_grid(**bad)


def test_makers_cover_every_optimizer_with_amsgrad_after_adam():
    m = makers()
    assert list(m) == [*list(ALL)[:7], "AMSGrad", *list(ALL)[7:]]
    assert m["AMSGrad"](0.1).amsgrad is True and m["Adam"](0.1).amsgrad is False
    assert isinstance(m["COCOB"](), COCOB) and isinstance(m["COCOB"](0.3), COCOB)
    assert m["Nesterov"](0.02).lr == 0.02
    assert list(makers(["Adam", "SGD"])) == ["Adam", "SGD"]
    with pytest.raises(KeyError, match="Adamm"):
        makers(["Adamm"])
    # the families partition the optimizers
    names = [n for group in FAMILIES.values() for n in group]
    assert sorted(names) == sorted(m) and sorted(LIBRARY_NAMES) == sorted(m)


def test_grid_search_on_a_bowl_finds_the_best_rate_and_reports_divergence():
    """SGD on f = x²/20 + y² diverges for η > 2/λ_max = 1 (λ_max = 2)."""
    trial = on_function(functions.bowl, steps=60)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a diverging run must print nothing
        g = grid_search(lambda lr: SGD(lr=lr), [0.01, 0.1, 0.9, 1.5, 3.0], trial)
    assert g.name == "SGD" and g.n_runs == 5 and g.has_lr and g.seconds > 0
    np.testing.assert_array_equal(g.diverged, [False, False, False, True, True])
    assert g.losses[3] == np.inf and isinstance(g.diverged_at[3], int)
    assert g.best_lr == 0.9 and g.best_index == 2 and not g.at_edge
    assert isinstance(g.best_run, Trajectory) and g.best_run.label == "SGD (η=0.9)"
    assert g.best_loss == pytest.approx(functions.bowl(g.best_run.final))
    # the losses are the runs' final values: smaller η, slower progress along x
    assert g.losses[0] > g.losses[1] > g.losses[2]
    assert g.good_range(g.losses[1]) == (0.1, 0.9)
    assert g.decades(g.losses[1]) == pytest.approx(np.log10(9))
    assert g.good_range(0.0) is None and g.decades(0.0) == -np.inf
    assert "best η = 0.9" in repr(g) and "5 runs" in repr(g)


def test_best_at_the_edge_and_all_diverged():
    trial = on_function(functions.bowl, steps=30)
    edge = grid_search(lambda lr: SGD(lr=lr), [1e-3, 1e-2], trial)
    assert edge.at_edge and edge.best_lr == 1e-2 and "edge of the grid" in repr(edge)
    gone = grid_search(lambda lr: SGD(lr=lr), [2.5, 5.0], trial)
    assert gone.best_index is None and gone.best_lr is None and gone.best_run is None
    assert gone.best_loss == np.inf and not gone.at_edge and "every run diverged" in repr(gone)


def test_an_optimizer_without_learning_rate_runs_once():
    g = grid_search(makers()["COCOB"], log_grid(1e-3, 1), on_function(functions.bowl, 50))
    assert g.n_runs == 1 and not g.has_lr and np.isnan(g.lrs).all()
    assert g.best_lr is None and g.best_loss < functions.bowl(functions.bowl.start)
    with pytest.raises(ValueError, match="no learning rate"):
        g.good_range(1.0)


def test_bad_grids_and_factories_are_refused():
    trial = on_function(functions.bowl, steps=5)
    with pytest.raises(ValueError, match="increase"):
        grid_search(lambda lr: SGD(lr=lr), [0.1, 0.01], trial)
    with pytest.raises(ValueError, match="> 0"):
        grid_search(lambda lr: SGD(lr=lr), [0.0, 0.1], trial)
    with pytest.raises(ValueError, match="pass its argument on"):
        grid_search(lambda lr: SGD(lr=0.5), [0.1, 0.2], trial)


def test_scheduled_optimizers_can_be_tuned_too():
    trial = on_function(functions.rosenbrock, steps=100)
    g = grid_search(lambda lr: Scheduled(Adam(lr=lr), Cosine(100)), [0.01, 0.1], trial, name="Adam")
    assert g.name == "Adam" and g.n_runs == 2 and g.best_run.label.startswith("Adam (η=")
    plain = grid_search(lambda lr: Adam(lr=lr), [0.01, 0.1], trial)
    assert not np.allclose(plain.losses, g.losses)


def test_compare_counts_every_run_and_prints_a_table():
    names = ["SGD", "Momentum", "COCOB"]
    result = compare(makers(names), log_grid(1e-3, 1), on_function(functions.bowl, 40))
    assert isinstance(result, Comparison) and list(result) == names and len(result) == 3
    assert result.runs == 4 + 4 + 1
    assert result.seconds == pytest.approx(sum(s.seconds for s in result.values()))
    # η = 1 makes y flip sign forever (|1 − 2η| = 1): SGD's best is 0.1
    assert result.best_lrs["COCOB"] is None and result.best_lrs["SGD"] == pytest.approx(0.1)
    assert set(result.best_losses) == set(names)
    text = str(result)
    assert text.splitlines()[0].startswith("optimizer") and "40 steps of bowl: 9 runs" in text
    assert ("edge of the grid" in text) == any(s.at_edge for s in result.values())
    assert all(name in text for name in names)


def test_on_model_scores_the_final_training_loss_and_catches_divergence():
    digits = data.load_digits()
    small = data.Dataset(digits.x_train[:200], digits.t_train[:200], digits.x_test, digits.t_test)
    trial = on_model(lambda: nn.MLP(64, [8], 10, seed=1), small, epochs=2, batch_size=50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = grid_search(lambda lr: Momentum(lr=lr), [0.03, 0.3, 1e300], trial)
    assert all(isinstance(h, History) for h in g.runs)
    assert g.losses[0] == g.runs[0].epochs[-1]["train_loss"]
    assert g.diverged[-1] and g.losses[-1] == np.inf and g.best_lr == 0.3
    again = grid_search(lambda lr: Momentum(lr=lr), [0.03, 0.3], trial)
    np.testing.assert_array_equal(again.losses, g.losses[:2])  # seeded: same numbers
    assert "2 epochs, batches of 50, seed 0" == trial.description


def test_summary_state_is_computed_from_init_state():
    rows = {row["name"]: row for row in summary()}
    assert list(rows) == list(makers())
    expected = {
        "SGD": [],
        "Momentum": ["v"],
        "Nesterov": ["b"],
        "AdaGrad": ["h"],
        "RMSProp": ["s"],
        "Adadelta": ["s", "u"],
        "Adam": ["m", "v"],
        "AMSGrad": ["m", "v", "v_max"],
        "AdaMax": ["m", "u"],
        "NAdam": ["m", "v"],
        "AdamW": ["m", "v"],
        "COCOB": ["L", "G", "R", "S", "theta1"],
    }
    assert {name: row["state"] for name, row in rows.items()} == expected
    assert rows["NAdam"]["scalar_state"] == ["mu_product"]
    assert not rows["COCOB"]["has_lr"] and rows["Adam"]["has_lr"]
    assert rows["Adam"]["torch"] == "Adam" and rows["COCOB"]["torch"] == "—"
    assert rows["NAdam"]["keras"] == "Nadam" and rows["COCOB"]["optax"] == "contrib.cocob"


@pytest.mark.parametrize("name", list(makers()))
def test_summary_hyperparameters_are_the_constructor_defaults(name):
    row = next(r for r in summary() if r["name"] == name)
    cls = Adam if name == "AMSGrad" else ALL[name]
    defaults = {
        p.name: p.default
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.default is not inspect.Parameter.empty and p.name != "fast"  # not part of the rule
    }
    if name == "AMSGrad":
        defaults["amsgrad"] = True
    assert row["hyperparameters"] == defaults


def test_library_names_exist_in_torch():
    torch = pytest.importorskip("torch")
    p = [torch.nn.Parameter(torch.zeros(2))]
    for name, (expression, _, _) in LIBRARY_NAMES.items():
        if expression == "—":
            continue
        cls_name, _, kwargs = expression.partition("(")
        cls = getattr(torch.optim, cls_name)
        made = eval(f"cls(p, {kwargs.rstrip(')')})", {"cls": cls, "p": p})  # noqa: S307
        assert isinstance(made, torch.optim.Optimizer), name


def test_table_shows_as_html_and_text():
    rows = [{"name": "A<b>", "state": ["m", "v"], "hp": {"lr": 0.001}}, {"name": "B", "state": []}]
    table = Table(rows, {"name": "optimizer", "state": "state", "hp": "defaults"})
    html = table._repr_html_()
    assert "A&lt;b&gt;" in html and html.count("<tr>") == 3 and "lr=0.001" in html
    text = repr(table).splitlines()
    assert text[0].split() == ["optimizer", "state", "defaults"]
    assert text[2].split() == ["B", "—"]  # an empty state shows as a dash
    assert Table(rows).columns == {"name": "name", "state": "state", "hp": "hp"}


def test_the_figures_draw_every_optimizer():
    result = compare(makers(), log_grid(1e-3, 1), on_function(functions.beale, 30))
    fig, ax = plt.subplots()
    plotting.plot_sensitivity(result, ax=ax)
    labels = [line.get_label() for line in ax.get_lines()]
    assert set(makers()) - {"COCOB"} <= set(labels) and "COCOB (no η)" in labels
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "learning rate η"
    axes = plotting.plot_race(functions.beale, result)
    assert len(axes) == 3 and [a.get_title() for a in axes] == list(FAMILIES)
    drawn = [t.get_text() for a in axes for t in a.get_legend().get_texts()]
    assert sum(t.startswith("Adam (η=") for t in drawn) == 1
    # a dict of runs works too, and only the families present get a panel
    two = {n: result[n].best_run for n in ("SGD", "Adam")}
    axes = plotting.plot_race(functions.beale, two)
    assert [a.get_title() for a in axes] == ["SGD and momentum", "The Adam family"]
    plt.close("all")


def test_loss_race_draws_one_curve_per_optimizer_and_family():
    digits = data.load_digits()
    small = data.Dataset(digits.x_train[:128], digits.t_train[:128], digits.x_test, digits.t_test)
    trial = on_model(lambda: nn.MLP(64, [8], 10, seed=0), small, epochs=2, batch_size=64)
    result = compare(makers(["SGD", "RMSProp", "COCOB", "Adam"]), [0.01, 0.1], trial)
    axes = plotting.plot_loss_race(result)
    assert [len(a.get_lines()) for a in axes] == [1, 2, 1]
    assert axes[0].get_yscale() == "log" and axes[0].get_xlabel() == "epoch"
    acc = plotting.plot_loss_race({"Adam": result["Adam"].best_run}, metric="test_acc")
    assert len(acc) == 1 and acc[0].get_yscale() == "linear"
    failed = Comparison({"SGD": grid_search(lambda lr: SGD(lr=lr), [1e300], trial)})
    with pytest.raises(ValueError, match="every run of"):
        plotting.plot_loss_race(failed)
    plt.close("all")


def test_importing_stays_light():
    probe = (
        "import sys, descent.comparison, descent.schedules; "
        "print([m for m in ('matplotlib', 'ipywidgets', 'sklearn', 'IPython') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_search_around_widens_towards_the_best_until_it_is_inside():
    # SGD on the bowl: the best eta of this grid is far above 1e-3, so the search must
    # walk up by half a decade at a time and stop as soon as the best is inside
    trial = on_function(functions.bowl, 60)
    make = makers(["SGD"])["SGD"]
    found = comparison.search_around(make, 1e-3, trial, max_runs=20)
    full = grid_search(make, log_grid(1e-4, 10, per_decade=2), trial)
    assert not found.at_edge and found.n_runs > 3
    assert np.all(np.diff(found.lrs) > 0) and found.lrs[0] == pytest.approx(10**-3.5)
    assert found.best_lr == pytest.approx(full.best_lr)
    assert found.best_index == found.n_runs - 2  # one run above the best, no more
    assert len(found.runs) == len(found.diverged_at) == found.n_runs


def test_search_around_stops_at_max_runs_and_runs_cocob_once():
    trial = on_function(functions.bowl, 20)
    capped = comparison.search_around(makers(["SGD"])["SGD"], 1e-6, trial, max_runs=4)
    assert capped.n_runs == 4 and capped.at_edge
    once = comparison.search_around(makers(["COCOB"])["COCOB"], None, trial)
    assert once.n_runs == 1 and not once.has_lr
    with pytest.raises(ValueError, match="center"):
        comparison.search_around(makers(["SGD"])["SGD"], -1.0, trial)
    with pytest.raises(ValueError, match="factor"):
        comparison.search_around(makers(["SGD"])["SGD"], 0.1, trial, factor=1.0)


def test_compare_around_uses_each_optimizers_own_center():
    trial = on_function(functions.bowl, 40)
    chosen = makers(["SGD", "Adam", "COCOB"])
    wide = compare(chosen, log_grid(1e-4, 10, per_decade=2), trial)
    near = comparison.compare_around(chosen, wide.best_lrs, trial)
    for name in ("SGD", "Adam"):
        assert near[name].lrs[1] == pytest.approx(wide[name].best_lr)
        assert near[name].best_loss <= wide[name].best_loss
    assert near["COCOB"].n_runs == 1 and near.runs < wide.runs
