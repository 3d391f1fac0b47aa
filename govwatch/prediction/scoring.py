"""A stored model's scores without scikit-learn: its trees as tables numpy walks all at once.

`govwatch predict` runs in a fresh process; importing scikit-learn (and SciPy beneath it) to unpickle
the model took longer than everything else it does for a province. A trained model is therefore
stored as a `Scorer`: the gradient-boosted trees and the sigmoid calibration as plain arrays, giving
the same numbers as the classifier's `predict_proba(X)[:, 1]` (the same comparisons, and the trees'
values added in the same order; a test holds them equal).

The trees are walked the QuickScorer way (Lucchese et al., SIGIR 2015): number each tree's leaves
left to right; a split whose test fails ("go right") rules out the leaves of its left side, one bit
mask per split. The leaf a case reaches is the lowest leaf no failed split ruled out. For one
feature, the failed splits of a value are those whose threshold is below it: sorted by threshold,
they are a prefix, and the masks ANDed along that order are one table row per prefix. A case's leaf
in every tree is then, per feature, one binary search and one row of that table, ANDed over the
features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CHUNK = 1024  # cases scored at a time: a chunk's (cases, trees) masks stay in the processor's cache


@dataclass
class FeatureTable:
    column: int
    thresholds: np.ndarray  # float64, ascending: the splits on this feature, all trees together
    trees: np.ndarray  # the trees that split on this feature
    masks: np.ndarray  # (len(trees), len(thresholds) + 2): leaves still possible after the first k
    #                    splits failed; the last column is for a missing value (NaN)

    def bins(self, x: np.ndarray) -> np.ndarray:
        """The column of `masks` for each value: how many splits fail (threshold below the value)."""
        x = np.asarray(x, dtype=np.float64)
        k = np.searchsorted(self.thresholds, x, side="left")
        k[np.isnan(x)] = self.thresholds.size + 1
        return k


@dataclass
class Scorer:
    baseline: float
    n_trees: int
    mask_dtype: np.dtype
    features: list[FeatureTable]
    leaf_values: np.ndarray  # (trees, most leaves) float64
    a: float  # the sigmoid calibration: p = expit(-(a * raw + b))
    b: float

    def _rows(self) -> list[np.ndarray]:
        """Each feature's masks as rows over all the trees, (len(thresholds) + 2, trees): a case's
        masks are one contiguous row per feature (all bits set for the trees that do not use it)."""
        rows = self.__dict__.get("_row_tables")
        if rows is None:
            full = np.iinfo(self.mask_dtype).max
            rows = []
            for f in self.features:
                table = np.full((f.masks.shape[1], self.n_trees), full, dtype=self.mask_dtype)
                table[:, f.trees] = f.masks.T
                rows.append(table)
            self.__dict__["_row_tables"] = rows  # derived, not stored: pickles stay as they were
        return rows

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_row_tables"}

    def raw(self, X: np.ndarray) -> np.ndarray:
        """The trees' sum (the classifier's decision function) of each row of X."""
        n = X.shape[0]
        rows = self._rows()
        bins = [f.bins(X[:, f.column]) for f in self.features]  # all rows at once, per feature
        offsets = np.arange(self.n_trees, dtype=np.intp) * self.leaf_values.shape[1]
        values = self.leaf_values.ravel()
        out = np.empty(n, dtype=np.float64)
        for start in range(0, n, CHUNK):
            stop = min(n, start + CHUNK)
            alive = np.full(
                (stop - start, self.n_trees), np.iinfo(self.mask_dtype).max, dtype=self.mask_dtype
            )
            for table, k in zip(rows, bins, strict=True):
                np.bitwise_and(alive, table[k[start:stop]], out=alive)
            leaf = _LOW16[alive] if self.mask_dtype == np.uint16 else _lowest_bit(alive)
            leaf += offsets
            picked = values[leaf]
            # The classifier adds its trees one by one to the baseline: the same order, the same sums.
            raw = np.full(stop - start, self.baseline, dtype=np.float64)
            for t in range(self.n_trees):
                raw += picked[:, t]
            out[start:stop] = raw
        return out

    def risk(self, X: np.ndarray) -> np.ndarray:
        """The calibrated chance of the positive class (`predict_proba(X)[:, 1]`)."""
        if X.shape[0] == 0:
            return np.zeros(0)
        z = -(self.a * self.raw(X) + self.b)
        return 1.0 / (1.0 + np.exp(-z))


_LOW16 = np.zeros(1 << 16, dtype=np.int64)
for _bit in range(15, -1, -1):
    _LOW16[np.arange(1 << 16) & ((1 << (_bit + 1)) - 1) == (1 << _bit)] = _bit


def _lowest_bit(masks: np.ndarray) -> np.ndarray:
    """Index of the lowest set bit of each mask (masks of up to 64 bits, none of them 0)."""
    masks = masks.astype(np.uint64)
    result = np.zeros(masks.shape, dtype=np.int64)
    found = np.zeros(masks.shape, dtype=bool)
    for shift in (0, 16, 32, 48):
        part = ((masks >> np.uint64(shift)) & np.uint64(0xFFFF)).astype(np.int64)
        here = ~found & (part != 0)
        result[here] = _LOW16[part[here]] + shift
        found |= here
    return result


def _tree_masks(nodes: np.ndarray) -> tuple[list[int], list[int], dict[int, int], np.ndarray]:
    """A tree's leaves left to right, its splits, and each split's mask (bits of the leaves still
    possible when its test fails: all but those of its left side)."""
    order: list[int] = []
    stack = [0]
    while stack:  # depth first, left before right: leaves come out left to right
        node = stack.pop()
        if nodes["is_leaf"][node]:
            order.append(node)
        else:
            stack.append(int(nodes["right"][node]))
            stack.append(int(nodes["left"][node]))
    leaf_index = {node: k for k, node in enumerate(order)}
    splits = [int(k) for k in np.flatnonzero(~nodes["is_leaf"].astype(bool))]
    full = (1 << len(order)) - 1

    def leaves_under(node: int) -> int:
        if nodes["is_leaf"][node]:
            return 1 << leaf_index[node]
        return leaves_under(int(nodes["left"][node])) | leaves_under(int(nodes["right"][node]))

    masks = np.array([full & ~leaves_under(int(nodes["left"][s])) for s in splits], dtype=np.uint64)
    return order, splits, leaf_index, masks


def from_classifier(model) -> Scorer:
    """The scorer of a fitted `CalibratedClassifierCV(FrozenEstimator(HistGradientBoostingClassifier),
    method="sigmoid")` of two classes."""
    (calibrated,) = model.calibrated_classifiers_
    (calibrator,) = calibrated.calibrators
    boosted = calibrated.estimator.estimator
    if boosted.n_trees_per_iteration_ != 1 or boosted.is_categorical_ is not None:
        raise ValueError("only a binary classifier without categorical features can be stored as a Scorer")
    trees = [predictors[0].nodes for predictors in boosted._predictors]
    n_leaves = max(int(nodes["is_leaf"].sum()) for nodes in trees)
    if n_leaves > 64:
        raise ValueError("a tree of more than 64 leaves")
    mask_dtype = np.dtype(np.uint16 if n_leaves <= 16 else np.uint32 if n_leaves <= 32 else np.uint64)
    leaf_values = np.zeros((len(trees), n_leaves), dtype=np.float64)
    per_feature: dict[int, list[tuple[float, int, int, bool]]] = {}
    for t, nodes in enumerate(trees):
        order, splits, _, masks = _tree_masks(nodes)
        leaf_values[t, : len(order)] = nodes["value"][order]
        for s, mask in zip(splits, masks.tolist(), strict=True):
            per_feature.setdefault(int(nodes["feature_idx"][s]), []).append(
                (float(nodes["num_threshold"][s]), t, mask, bool(nodes["missing_go_to_left"][s]))
            )
    full = np.iinfo(mask_dtype).max
    features = []
    for column, splits in sorted(per_feature.items()):
        splits.sort(key=lambda split: split[0])
        tree_ids = np.unique([t for _, t, _, _ in splits])
        row_of = {int(t): k for k, t in enumerate(tree_ids)}
        masks = np.full((tree_ids.size, len(splits) + 2), full, dtype=np.uint64)
        running = np.full(tree_ids.size, full, dtype=np.uint64)
        missing = np.full(tree_ids.size, full, dtype=np.uint64)
        for k, (_, t, mask, nan_left) in enumerate(splits):
            running[row_of[t]] &= np.uint64(mask)
            masks[:, k + 1] = running
            if not nan_left:  # a missing value goes right: the split fails
                missing[row_of[t]] &= np.uint64(mask)
        masks[:, -1] = missing
        thresholds = np.array([threshold for threshold, _, _, _ in splits], dtype=np.float64)
        features.append(FeatureTable(column, thresholds, tree_ids, masks.astype(mask_dtype)))
    return Scorer(
        baseline=float(boosted._baseline_prediction.ravel()[0]), n_trees=len(trees), mask_dtype=mask_dtype,
        features=features, leaf_values=leaf_values, a=float(calibrator.a_), b=float(calibrator.b_),
    )  # fmt: skip
