"""Names for every variable of a model and its optimizers, from the object graph.

A variable is named by the attributes that lead to it (`generator_a2b/blocks/0/conv/_kernel`),
as `tf.train.Checkpoint` names model variables, so two models built the same way agree
on every name whatever order their variables were created in. Keras' own `variable.path`
cannot serve: it holds auto-generated layer names (`dense_3`) that depend on how many
layers the process built before.

Optimizer slots are named after the model variable they belong to
(`optimizers/generator/_momentums/<model variable name>`): Keras 3 keeps them in lists in
the order of the variables it was built on, which `tf.train.Checkpoint` restores by
position (docs/keras3_notes.md).
"""

import collections

import keras

from dlx_tf.errors import UsageError

# Keras' bookkeeping collections: they list what named attributes also reach, so they are
# walked last, only for what nothing else names (functional models' unnamed layers).
_COLLECTIONS = ("_layers", "_trainable_variables", "_non_trainable_variables",
                "_seed_generators", "_metrics", "_variables")
_SKIPPED = {"_tracker", "_inbound_nodes", "_outbound_nodes", "_operations", "optimizer",
            "_compile_metrics", "_compile_loss", "_loss_tracker", "_metrics_names"}


def named_variables(model, optimizers):
    """`{name: variable}` for `model.variables` and every variable of `optimizers`
    (`{name: optimizer}`). Raises `UsageError` if a variable cannot be named."""
    names = _walk(model, prefix="model")
    by_id = {id(variable): name for name, variable in names.items()}
    for optimizer_name, optimizer in sorted(optimizers.items()):
        names.update(_optimizer_names(optimizer, f"optimizers/{optimizer_name}", by_id))
    return names


def _walk(root, prefix):
    """Breadth first, so the shortest attribute path names a shared object."""
    wanted = {id(v) for v in root.variables}
    names, seen = {}, set()
    queue = collections.deque([(prefix, root)])
    while queue:
        path, value = queue.popleft()
        if isinstance(value, keras.Variable):
            if id(value) in wanted and id(value) not in seen:
                seen.add(id(value))
                names[path] = value
            continue
        if id(value) in seen:
            continue
        seen.add(id(value))
        queue.extend((f"{path}/{key}", child) for key, child in _children(value))
    missing = [v.path for v in root.variables if id(v) not in seen]
    if missing:
        raise UsageError(f"cannot name variable {missing[0]} for a checkpoint: no attribute "
                         f"of {type(root).__name__} leads to it")
    return names


def _children(value):
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, list | tuple):
        return list(enumerate(value))
    if not isinstance(value, keras.layers.Layer | keras.metrics.Metric
                      | keras.random.SeedGenerator):
        return []
    attributes = vars(value)
    named = [(key, child) for key, child in attributes.items()
             if key not in _SKIPPED and key not in _COLLECTIONS]
    return named + [(key, attributes[key]) for key in _COLLECTIONS if key in attributes]


def _optimizer_names(optimizer, prefix, model_names):
    """Per-variable slot lists by the model variable's name; the rest by attribute."""
    own = {id(v) for v in optimizer.variables}
    references = getattr(optimizer, "_trainable_variables", [])
    names = {}
    for key, value in vars(optimizer).items():
        if isinstance(value, keras.optimizers.Optimizer):
            names.update(_optimizer_names(value, f"{prefix}/{key}", model_names))
        elif isinstance(value, keras.Variable) and id(value) in own:
            names[f"{prefix}/{key}"] = value
        elif (key != "_variables" and isinstance(value, list) and value
              and len(value) == len(references)
              and all(slot is None or id(slot) in own for slot in value)):
            for reference, slot in zip(references, value):
                if slot is None:
                    continue
                if id(reference) not in model_names:
                    raise UsageError(f"optimizer {prefix}: variable {reference.path} is not "
                                     "part of the checkpointed model")
                names[f"{prefix}/{key}/{model_names[id(reference)].removeprefix('model/')}"] = slot
    named = {id(v) for v in names.values()}
    for variable in optimizer.variables:
        if id(variable) not in named:
            raise UsageError(f"cannot name optimizer variable {variable.path} for a checkpoint")
    return names
