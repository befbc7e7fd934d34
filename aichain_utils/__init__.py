"""aichain_utils: the code behind the *aichain* replication book.

The package implements, as tested functions, what the book needs to replicate
Pang, Jiao & Li, "人工智能嵌入如何推动创新链布局重构" (How does AI embedding
promote the layout reconstruction of the innovation chain?).  Layers run in one
direction: raw inputs -> measurement (indices) -> analysis panel -> models ->
tables and figures.

Modules
-------
paths
    Where the repository's data lives.
published
    The paper's published tables (Tables 1-10) as validated, tidy DataFrames.
framework
    The conceptual model: hypotheses, equations, the causal diagram.
"""

from aichain_utils.paths import data_dir, published_dir, repo_root

__all__ = ["__version__", "data_dir", "published_dir", "repo_root"]

__version__ = "0.1.0"
