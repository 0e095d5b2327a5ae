"""Story labels: the top terms of each row."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse

from storyclust.stories.label import top_terms


@given(st.lists(st.lists(st.sampled_from([0.0, 0.1, 0.2, 0.5, 1.0]), min_size=6, max_size=6), max_size=8),
       st.integers(1, 4))
def test_top_terms_are_each_rows_best_columns_ties_to_the_earlier(rows: list[list[float]], count: int) -> None:
    scores = sparse.csr_matrix(np.array(rows, dtype=np.float64).reshape(len(rows), 6))
    names = np.array(list("abcdef"), dtype=object)
    expected = []
    for row in rows:
        ranked = sorted((c for c in range(6) if row[c] > 0), key=lambda c: (-row[c], c))
        expected.append([names[c] for c in ranked[:count]])
    assert top_terms(scores, lambda columns: names[columns], count) == expected
