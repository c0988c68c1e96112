"""Regional innovation policy simulator: the pure computational library.

No Streamlit here. One module per method; each docstring names the paper and equation.
Data flows one way: ``schema``/``data``/``demo`` -> measurement (``coupling``, ``mlp``,
``clusters``) -> analysis (``weights``, ``moran``, ``inequality``, ``density``, ``markov``,
``gmm``, ``robustness``) -> simulation (``scenario``).
"""
