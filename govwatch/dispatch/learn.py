"""Dispatch suggestions (智能派单): which units most likely handle a complaint, and its category,
learned from the region's own history (complaints with the unit that handled them) and its
catalog (each unit's name and the names of the items it handles).

Text: jieba segments it into words (`segment`); scikit-learn's TfidfVectorizer weighs the words and,
beside them, the character bigrams and trigrams of the raw text, which still match when a citizen
names an item or a unit loosely (人社局 for 人力资源和社会保障局, 社保卡 for 社会保障卡申领) or
mistypes it.

Units: Complement Naive Bayes (Rennie et al. 2003; scikit-learn's ComplementNB), computed on sparse
matrices so that it scales to a province of tens of thousands of units: with per-class feature
counts N[c, w], feature totals N[w] and smoothing a, ComplementNB's joint log-likelihood of a text x
is, up to a term that is the same for every unit,

    score[c] = sum_w x[w] * -log(1 - N[c, w] / (N[w] + a))  +  |x|_1 * log(S[c]),

where S[c] = sum_w (N[w] + a - N[c, w]). The first matrix is non-zero only where the unit has seen
the feature, so it is stored sparse (features x units); the ranking is exactly ComplementNB's.
Scores are turned into 0..1 by a softmax over the candidate units, as ComplementNB's predict_proba.

Categories: scikit-learn's ComplementNB over the same features (seven categories: a dense matrix).

A model is stored as plain arrays and vocabularies (`dumps`/`loads`, numpy's npz, no pickle), so any
process can load the one the worker trained.
"""

from __future__ import annotations

import io
import logging
import multiprocessing
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

# scikit-learn is imported where a model is built, fitted or loaded, not with this module: the
# URLconf reaches it through the complaint pages, and importing it costs every web, worker and
# command process about 1.8 s of CPU at start-up, most of which never suggests a unit.
if TYPE_CHECKING:
    from sklearn.feature_extraction.text import HashingVectorizer

ALPHA = 0.1
# Entries of the unit matrix below this weigh next to nothing in any score (a feature the unit
# shares with very many others); dropped, they shrink a province's model several times over.
PRUNE = 0.002
CHAR_RANGE = (2, 3)
# Character bigrams are hashed (no vocabulary to build: the slow part of vectorizing a province's
# history) into this many columns; collisions among a region's bigrams are rare at this size.
CHAR_FEATURES = 2**18
DTYPE = np.float32
# Training on at least this many distinct texts hashes them in parallel, CHUNK texts at a time.
PARALLEL_FROM = 50_000
CHUNK = 20_000

_tokenizer = None
_lock = threading.Lock()


def _jieba():
    """One jieba tokenizer per process, its dictionary loaded once (about a second)."""
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            _tokenizer = tokenizer
    return _tokenizer


def segment(text: str) -> str:
    """The words of a text as jieba segments them (dictionary only, no HMM guessing of unknown
    words: faster, and a citizen's rare words are caught by the character n-grams), space-joined."""
    return " ".join(w for w in _jieba().lcut(text or "", HMM=False) if w.strip())


def _words(terms: str) -> list[str]:
    return terms.split()


def _vectorizers():
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer, TfidfVectorizer
    from sklearn.pipeline import make_pipeline

    words = TfidfVectorizer(analyzer=_words, sublinear_tf=True, dtype=DTYPE)
    chars = make_pipeline(
        HashingVectorizer(
            analyzer="char", ngram_range=CHAR_RANGE, n_features=CHAR_FEATURES, alternate_sign=False, norm=None,
            dtype=DTYPE,
        ),
        TfidfTransformer(sublinear_tf=True),
    )  # fmt: skip
    return words, chars


@dataclass(frozen=True)
class Example:
    """One document to learn from: its text, its segmented words (computed when empty), the unit
    that handled it and its category ("" when unknown)."""

    text: str
    unit: str
    category: str = ""
    terms: str = ""


class SparseComplementNB:
    """Complement Naive Bayes with a sparse (features x classes) weight matrix: see the module."""

    def __init__(self, alpha: float = ALPHA, prune: float = PRUNE):
        self.alpha = alpha
        self.prune = prune

    def fit(self, X: sparse.csr_matrix, y: Sequence[int], n_classes: int) -> SparseComplementNB:
        # X stays as it is (float32 from the vectorizers: a province's history is a large matrix,
        # not to be copied); the per-class sums, far smaller, are kept in float64.
        Y = sparse.csr_matrix(
            (np.ones(len(y), dtype=X.dtype), (np.asarray(y), np.arange(len(y)))),
            shape=(n_classes, X.shape[0]),
        )
        per_class = (Y @ X).tocsr().astype(np.float64)
        counts = per_class.tocoo()  # N[c, w]
        totals = np.asarray(per_class.sum(axis=0)).ravel()  # N[w]
        a = self.alpha
        weight = -np.log1p(-counts.data / (totals[counts.col] + a))
        keep = weight >= self.prune
        self.weights = sparse.csr_matrix(
            (weight[keep].astype(DTYPE), (counts.col[keep], counts.row[keep])), shape=(X.shape[1], n_classes)
        )
        class_totals = np.asarray(per_class.sum(axis=1)).ravel()  # N[c]
        self.bias = np.log(totals.sum() + a * X.shape[1] - class_totals).astype(DTYPE)
        return self

    def decision_function(self, X: sparse.csr_matrix) -> np.ndarray:
        """Scores of each row for every class, higher is likelier."""
        lengths = np.asarray(abs(X).sum(axis=1))
        return (X @ self.weights).toarray() + lengths * self.bias


@dataclass
class Suggestion:
    units: list[tuple[str, float]]
    category: str

    def as_dict(self) -> dict:
        return {
            "units": [{"unit_code": code, "score": round(score, 4)} for code, score in self.units],
            "category": self.category,
        }


class Model:
    """A trained dispatch model: vectorizers, the unit classifier and the category classifier."""

    def __init__(self, words, chars, units: list[str], nb: SparseComplementNB, categories: list[str],
                 category_weights: np.ndarray | None, temperature: float = 1.0):  # fmt: skip
        self.words, self.chars = words, chars
        self.units = units
        self.index = {code: i for i, code in enumerate(units)}
        self.nb = nb
        self.categories = categories
        self.category_weights = category_weights
        self.temperature = temperature

    def features(self, texts: Sequence[str], terms: Sequence[str] | None = None) -> sparse.csr_matrix:
        terms = terms if terms is not None else [segment(t) for t in texts]
        return sparse.hstack([self.words.transform(terms), self.chars.transform(texts)], format="csr")

    def suggest(self, text: str, candidates: Iterable[str] | None = None, k: int = 3) -> Suggestion:
        return self.suggest_many([text], candidates, k)[0]

    def suggest_many(
        self, texts: Sequence[str], candidates: Iterable[str] | None = None, k: int = 3
    ) -> list[Suggestion]:
        """Up to `k` units for each text, best first, with a 0..1 score each (over `candidates`, the
        unit codes the caller may dispatch to, default every unit), and the likeliest category."""
        X = self.features(texts)
        scores = self.nb.decision_function(X)
        codes = self.units
        if candidates is not None:
            # Every unit is scored, then the candidates' columns taken: slicing the weight matrix's
            # columns for each call would cost more than the product itself.
            columns = np.array(sorted({self.index[c] for c in candidates if c in self.index}), dtype=np.int64)
            scores = scores[:, columns]
            codes = [self.units[i] for i in columns]
        suggestions = []
        for i in range(X.shape[0]):
            row = scores[i]
            units: list[tuple[str, float]] = []
            if row.size:
                probability = np.exp((row - row.max()) / self.temperature)
                probability /= probability.sum()
                best = (
                    np.argpartition(-row, min(k, row.size) - 1)[:k] if row.size > k else np.arange(row.size)
                )
                top = best[np.lexsort((best, -row[best]))]
                units = [(codes[j], float(probability[j])) for j in top]
            suggestions.append(Suggestion(units, self._category(X[i])))
        return suggestions

    def _category(self, x: sparse.csr_matrix) -> str:
        if self.category_weights is None or not self.categories:
            return ""
        x = x.tocsr()
        # Only the text's own features: a dense product would touch every hashed column.
        jll = self.category_weights[:, x.indices] @ x.data
        return self.categories[int(np.argmax(jll))]

    # -- storage -------------------------------------------------------------------------------

    def dumps(self) -> bytes:
        w = self.nb.weights.tocsr()
        arrays = {
            "word_vocab": np.array(sorted(self.words.vocabulary_, key=self.words.vocabulary_.get), dtype=str),
            "word_idf": self.words.idf_.astype(DTYPE),
            "char_idf": self.chars[-1].idf_.astype(DTYPE),
            "units": np.array(self.units, dtype=str),
            "w_data": w.data, "w_indices": w.indices, "w_indptr": w.indptr, "w_shape": np.array(w.shape),
            "bias": self.nb.bias,
            "temperature": np.array([self.temperature]),
            "categories": np.array(self.categories, dtype=str),
            "category_weights": (
                self.category_weights if self.category_weights is not None else np.zeros((0, 0), dtype=DTYPE)
            ),
        }  # fmt: skip
        out = io.BytesIO()
        np.savez_compressed(out, **arrays)
        return out.getvalue()

    @classmethod
    def loads(cls, blob: bytes) -> Model:
        data = np.load(io.BytesIO(bytes(blob)), allow_pickle=False)
        words, chars = _vectorizers()
        words.vocabulary_ = {w: i for i, w in enumerate(data["word_vocab"].tolist())}
        words.idf_ = data["word_idf"]
        chars[-1].idf_ = data["char_idf"]
        nb = SparseComplementNB()
        nb.weights = sparse.csr_matrix(
            (data["w_data"], data["w_indices"], data["w_indptr"]), shape=tuple(data["w_shape"])
        )
        nb.bias = data["bias"]
        category_weights = data["category_weights"]
        return cls(
            words, chars, data["units"].tolist(), nb, data["categories"].tolist(),
            category_weights if category_weights.size else None,
            float(data["temperature"][0]) if "temperature" in data else 1.0,
        )  # fmt: skip


# Calibration: the scores' temperature is the one that best predicts held-out history.
HELD_OUT = 0.1
MIN_HELD_OUT = 30
TEMPERATURES = np.logspace(-1, 3, 41)


def _temperature(X: sparse.csr_matrix, y: np.ndarray, history: int, n_classes: int) -> float:
    """The softmax temperature that makes the scores honest probabilities: a model trained without
    the newest HELD_OUT of the history scores it, and the temperature of least log-loss is kept
    (ComplementNB's raw scores are far too sure of themselves: the runner-up unit would read 0%).
    1.0 when the history is too short to hold any out."""
    held = int(history * HELD_OUT)
    if held < MIN_HELD_OUT:
        return 1.0
    keep = np.r_[0 : history - held, history : X.shape[0]]
    trial = SparseComplementNB().fit(X[keep], y[keep], n_classes)
    scores = trial.decision_function(X[history - held : history])
    truth = y[history - held : history]
    best, best_loss = 1.0, np.inf
    for t in TEMPERATURES:
        z = scores / t
        z = z - z.max(axis=1, keepdims=True)
        log_p = z[np.arange(len(truth)), truth] - np.log(np.exp(z).sum(axis=1))
        loss = -log_p.mean()
        if loss < best_loss:
            best, best_loss = float(t), loss
    return best


class NothingToLearn(ValueError):
    """Neither history nor catalog: no unit to suggest."""


def _unique_rows(texts: list[str], terms: list[str], fit: bool, words, chars) -> sparse.csr_matrix:
    """The features of many short texts with many repeats (catalog names repeat in every district
    of a province): each distinct text is vectorized once."""
    distinct: dict[tuple[str, str], int] = {}
    index = [distinct.setdefault((t, s), len(distinct)) for t, s in zip(texts, terms, strict=True)]
    keys = list(distinct)
    uniq_texts, uniq_terms = [k[0] for k in keys], [k[1] for k in keys]
    hasher, weigher = chars[0], chars[-1]
    hashed = _hashed(hasher, uniq_texts)
    if fit:
        Xw, Xc = words.fit_transform(uniq_terms), weigher.fit_transform(hashed)
    else:
        Xw, Xc = words.transform(uniq_terms), weigher.transform(hashed)
    return sparse.hstack([Xw, Xc], format="csr")[index]


def _hashed(hasher: HashingVectorizer, texts: list[str]) -> sparse.csr_matrix:
    """The character n-grams of many texts, hashed in one process per core (the hashing keeps no
    state, so chunks are independent): the costliest part of training on a large history."""
    processes = os.cpu_count() or 1
    if processes <= 1 or len(texts) < PARALLEL_FROM:
        return hasher.transform(texts)
    chunks = [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        return sparse.vstack(pool.map(hasher.transform, chunks), format="csr")


def train(history: Iterable[Example], catalog: Iterable[Example]) -> Model:
    """A model from the complaints handled so far and the catalog (each unit's and item's name as
    an example of its unit). Raises NothingToLearn when both are empty."""
    examples = list(history)
    names = list(catalog)
    if not examples and not names:
        raise NothingToLearn("没有可学习的投诉记录，也没有事项目录")
    cache: dict[str, str] = {}

    def terms_of(example: Example) -> str:
        if example.terms:
            return example.terms
        if example.text not in cache:
            cache[example.text] = segment(example.text)
        return cache[example.text]

    from sklearn.naive_bayes import ComplementNB
    from sklearn.preprocessing import LabelEncoder

    all_examples = examples + names
    texts = [e.text for e in all_examples]
    terms = [terms_of(e) for e in all_examples]
    words, chars = _vectorizers()
    # Vocabulary and idf from the distinct documents: a catalog name repeated in every district of
    # a province is one document, vectorized once.
    X = _unique_rows(texts, terms, True, words, chars)
    encoder = LabelEncoder().fit([e.unit for e in all_examples])
    y = encoder.transform([e.unit for e in all_examples])
    nb = SparseComplementNB().fit(X, y, len(encoder.classes_))
    temperature = _temperature(X, y, len(examples), len(encoder.classes_))
    labelled = [i for i, e in enumerate(examples) if e.category]
    categories: list[str] = []
    category_weights = None
    if len({examples[i].category for i in labelled}) >= 2:
        clf = ComplementNB(alpha=ALPHA).fit(X[labelled], [examples[i].category for i in labelled])
        categories, category_weights = [str(c) for c in clf.classes_], clf.feature_log_prob_.astype(DTYPE)
    return Model(
        words, chars, [str(u) for u in encoder.classes_], nb, categories, category_weights, temperature
    )  # fmt: skip
